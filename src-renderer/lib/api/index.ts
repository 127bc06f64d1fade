/** Picks the transport once at start-up; the rest of the UI only sees the `Api` interface. */
import type { Api } from '../../../src-preload/contract';
import { createHttpApi } from './http-client';
import { takeToken, TOKEN_CHANGED_EVENT, watchToken } from './token';

/** Electron's preload-provided `window.api`, or the HTTP/WebSocket client in browser mode. */
export function createApi(): Api {
  if (window.api) return window.api;
  let token = takeToken();
  const api = createHttpApi(() => token);
  // Registered before the router's listener: the token is taken before the screen reloads.
  watchToken((fresh) => {
    token = fresh;
    api.reconnect();
    window.dispatchEvent(new Event(TOKEN_CHANGED_EVENT));
  });
  return api;
}
