/** Picks the transport once at start-up; the rest of the UI only sees the `Api` interface. */
import type { Api } from '../../../src-preload/contract';
import { createHttpApi } from './http-client';
import { takeToken } from './token';

/** Electron's preload-provided `window.api`, or the HTTP/WebSocket client in browser mode. */
export function createApi(): Api {
  return window.api ?? createHttpApi(takeToken());
}
