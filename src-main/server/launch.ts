/** Starts browser mode: services, event hub and the HTTP/WebSocket server, wired together. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createAppDispatcher } from '../services/contract-impl';
import { EventHub } from '../services/contract-impl-events';
import { startServer, type RunningServer } from './http-server';
import type { AppLayout } from './layout';

/** The renderer has not been built, so there is nothing to serve. */
export class RendererMissingError extends Error {
  override readonly name = 'RendererMissingError';
  constructor(readonly rendererDir: string) {
    super(`The UI is not built: ${path.join(rendererDir, 'index.html')} is missing. Run \`npm run build\` (or \`npm run setup\`) first.`);
  }
}

/** Launches the server for `layout` on `port` (0 = any free port). */
export async function launchBrowserMode(layout: AppLayout, port: number, token?: string): Promise<RunningServer> {
  if (!existsSync(path.join(layout.rendererDir, 'index.html'))) throw new RendererMissingError(layout.rendererDir);
  const hub = new EventHub();
  const dispatch = createAppDispatcher({ probeChild: layout.probeChild }, { emit: hub.emit });
  return startServer({
    port,
    rendererDir: layout.rendererDir,
    dispatch,
    subscribe: (listener) => hub.subscribe(listener),
    ...(token === undefined ? {} : { token }),
  });
}
