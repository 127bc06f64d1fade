/** Hash-based routing (`#/about`): works the same from file:// in Electron and from the local server. */
import { routeFromHash, type RouteId } from './routes';

export class Router {
  current = $state<RouteId>(routeFromHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.current = routeFromHash(window.location.hash);
    });
  }
}
