/** Starts browser mode: services, event hub and the HTTP/WebSocket server, wired together. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createAppBackend } from '../services/app/backend';
import { EventHub } from '../services/api/events';
import { startServer, type RunningServer } from './http-server';
import type { AppLayout } from './layout';

/** The renderer has not been built, so there is nothing to serve. */
export class RendererMissingError extends Error {
  override readonly name = 'RendererMissingError';
  constructor(readonly rendererDir: string) {
    super(
      `The UI is not built: ${path.join(rendererDir, 'index.html')} is missing. Run \`npm run build\` (or \`npm run setup\`) first.`,
    );
  }
}

export interface LaunchOptions {
  /** 0 = any free port. */
  readonly port: number;
  /** Folder of the project database. */
  readonly dataDir: string;
  /** Fixed token (tests); random otherwise. */
  readonly token?: string;
}

/** Launches the server for `layout`; closing it also closes the database. */
export async function launchBrowserMode(layout: AppLayout, options: LaunchOptions): Promise<RunningServer> {
  if (!existsSync(path.join(layout.rendererDir, 'index.html'))) throw new RendererMissingError(layout.rendererDir);
  const hub = new EventHub();
  const backend = createAppBackend({ probeChild: layout.probeChild, dataDir: options.dataDir }, { emit: hub.emit });
  const server = await startServer({
    port: options.port,
    rendererDir: layout.rendererDir,
    dispatch: backend.dispatch,
    subscribe: (listener) => hub.subscribe(listener),
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      backend.close();
    },
  };
}
