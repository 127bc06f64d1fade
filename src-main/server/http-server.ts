/**
 * Browser mode: the contract over HTTP (POST /api/<method>) and a WebSocket (/api/events) on 127.0.0.1,
 * plus the built renderer as static files. Every API call needs the per-launch token; other origins and
 * foreign Host headers are refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  HTTP_API_PREFIX,
  TOKEN_HEADER,
  WS_EVENTS_PATH,
  type ApiEvent,
  type ErrorCode,
  type Result,
} from '../../src-preload/contract';
import type { Dispatch } from '../services/api/dispatch';
import { checkRequest, newToken } from './security';
import { serveStatic } from './static-files';

export interface ServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The built renderer folder (out/renderer). */
  readonly rendererDir: string;
  readonly dispatch: Dispatch;
  /** Subscribes the server to service events; returns the unsubscribe function. */
  readonly subscribe: (listener: (event: ApiEvent) => void) => () => void;
  /** Fixed token for tests; a random one otherwise. */
  readonly token?: string;
  /** Largest accepted request body. */
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly port: number;
  readonly token: string;
  /** The URL to open: the token travels in the fragment, which browsers never send to servers. */
  readonly url: string;
  close(): Promise<void>;
}

const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  unknown_method: 404,
  conflict: 409,
  path_rejected: 400,
  schema_too_new: 409,
  io: 500,
  cancelled: 409,
  unavailable: 503,
  transport: 502,
  internal: 500,
};

function sendJson(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: ErrorCode, message: string, method?: string): void {
  sendJson(res, status, { ok: false, error: method === undefined ? { code, message } : { code, message, method } });
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(`body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  dispatch: Dispatch,
  limit: number,
): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    fail(res, 405, 'invalid_input', `Use POST for ${HTTP_API_PREFIX}${method} (got ${req.method ?? '?'}).`, method);
    return;
  }
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) {
    fail(res, 415, 'invalid_input', `Send the payload as application/json (got "${type}").`, method);
    return;
  }
  let payload: unknown;
  try {
    const text = await readBody(req, limit);
    payload = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      fail(res, 413, 'invalid_input', `Payload too large (limit ${limit} bytes).`, method);
    } else {
      fail(res, 400, 'invalid_input', `Payload is not valid JSON: ${(error as Error).message}`, method);
    }
    return;
  }
  const result = await dispatch(method, payload);
  sendJson(res, result.ok ? 200 : STATUS_BY_CODE[result.error.code], result);
}

/** Starts the browser-mode server on 127.0.0.1 and resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024;
  let port = options.port;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith(HTTP_API_PREFIX);
    const verdict = checkRequest(
      { host: req.headers.host, origin: req.headers.origin },
      req.headers[TOKEN_HEADER] as string | undefined,
      token,
      port,
      isApi,
    );
    if (!verdict.ok) {
      fail(res, verdict.status, verdict.code, verdict.message);
      return;
    }
    const work = isApi
      ? handleApi(req, res, url.pathname.slice(HTTP_API_PREFIX.length), options.dispatch, limit)
      : req.method === 'GET' || req.method === 'HEAD'
        ? serveStatic(options.rendererDir, url.pathname, port, res)
        : Promise.resolve(void res.writeHead(405, { allow: 'GET' }).end());
    work.catch((error: unknown) => {
      console.error('[mts] request failed:', error);
      if (!res.headersSent) fail(res, 500, 'internal', `Server error: ${String(error)}`);
      else res.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict =
      url.pathname === WS_EVENTS_PATH
        ? checkRequest(
            { host: req.headers.host, origin: req.headers.origin },
            url.searchParams.get('token'),
            token,
            port,
            true,
          )
        : ({ ok: false, status: 403, code: 'forbidden', message: 'no such socket' } as const);
    if (!verdict.ok) {
      socket.end(
        `HTTP/1.1 ${verdict.status} ${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws));
  });
  const unsubscribe = options.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(text);
  });
  sockets.on('connection', (ws: WebSocket) => ws.on('error', (error) => console.error('[mts] websocket:', error)));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
