/** The contract over HTTP + WebSocket (browser mode); same `Api` interface as Electron's window.api. */
import {
  HTTP_API_PREFIX,
  TOKEN_HEADER,
  WS_EVENTS_PATH,
  type Api,
  type ApiError,
  type ApiEvent,
  type InputOf,
  type MethodName,
  type OutputOf,
  type Result,
} from '../../../src-preload/contract';

const NO_TOKEN_MESSAGE =
  'No access token. Open the exact URL that `mts serve` printed (it ends with #token=…); tokens change on every launch.';

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; message?: unknown };
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/** Structural check of what came over the wire (our own server, but a proxy or crash can send anything). */
function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  return v.ok === true ? 'value' in v : v.ok === false && isApiError(v.error);
}

function transportError(method: string, message: string): Result<never> {
  return { ok: false, error: { code: 'transport', message, method } };
}

async function post(token: string, method: string, input: unknown): Promise<Result<unknown>> {
  let response: Response;
  try {
    response = await fetch(`${HTTP_API_PREFIX}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(input),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return transportError(
      method,
      `Cannot reach the Multitask Studio server (${reason}). Is \`mts serve\` still running?`,
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (isResult(body)) return body;
  return transportError(
    method,
    `The server answered ${response.status} ${response.statusText} without a readable result.`,
  );
}

/** WebSocket events with automatic reconnect; connects on the first subscription, with the current token. */
class EventSocket {
  readonly #listeners = new Set<(event: ApiEvent) => void>();
  #socket: WebSocket | null = null;
  #retryMs = 500;

  constructor(private readonly token: () => string | null) {}

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#socket === null) this.#connect();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Drops the connection so that it reconnects at once with the current token. */
  reconnect(): void {
    this.#retryMs = 0;
    if (this.#socket !== null) this.#socket.close();
    else if (this.#listeners.size > 0) this.#connect();
  }

  #connect(): void {
    const token = this.token();
    if (token === null) return; // without a token the server would refuse; reconnect() tries again
    const url = `ws://${window.location.host}${WS_EVENTS_PATH}?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => (this.#retryMs = 500));
    socket.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      let event: ApiEvent;
      try {
        event = JSON.parse(message.data) as ApiEvent;
      } catch (error) {
        console.error('Ignoring an unreadable event from the server:', error);
        return;
      }
      for (const listener of this.#listeners) listener(event);
    });
    socket.addEventListener('close', () => {
      if (this.#socket === socket) this.#socket = null;
      if (this.#listeners.size === 0) return;
      setTimeout(() => {
        if (this.#socket === null) this.#connect();
      }, this.#retryMs);
      this.#retryMs = Math.min(Math.max(this.#retryMs * 2, 500), 10_000);
    });
  }
}

/** The browser-mode `Api`, plus `reconnect` for when the token changed. */
export interface HttpApi extends Api {
  /** Re-opens the event socket with the current token (the next calls use it already). */
  reconnect(): void;
}

/**
 * Builds the browser-mode `Api` over a token, or a function that gives the current one (a token pasted into
 * the URL later replaces it); with no token every call returns a readable `unauthorized` error.
 */
export function createHttpApi(token: string | null | (() => string | null)): HttpApi {
  const current = typeof token === 'function' ? token : () => token;
  const events = new EventSocket(current);
  return {
    invoke<M extends MethodName>(method: M, input: InputOf<M>): Promise<Result<OutputOf<M>>> {
      const now = current();
      if (now === null) {
        return Promise.resolve({ ok: false, error: { code: 'unauthorized', message: NO_TOKEN_MESSAGE, method } });
      }
      // The server validates the payload against the contract; the output type is the contract's promise.
      return post(now, method, input) as Promise<Result<OutputOf<M>>>;
    },
    onEvent(listener) {
      return events.subscribe(listener);
    },
    reconnect() {
      events.reconnect();
    },
  };
}
