/**
 * Browser-mode guards: a random per-launch token, and Host/Origin checks so that other web pages (CSRF)
 * and DNS-rebinding pages cannot drive the local server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh 256-bit token, URL-safe so it can travel in the URL fragment. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a presented token with the real one. */
export function tokenMatches(presented: string | undefined | null, token: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Host header values this server answers to (anything else is a DNS-rebinding attempt). */
export function allowedHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** The origins allowed to call the API: the page this server served, under either host name. */
export function allowedOrigins(port: number): ReadonlySet<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export type GuardVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly code: 'unauthorized' | 'forbidden';
      readonly message: string;
    };

/** Checks Host, Origin (when sent; non-browser clients send none) and, when `requireToken`, the token. */
export function checkRequest(
  headers: { readonly host?: string; readonly origin?: string },
  presentedToken: string | undefined | null,
  token: string,
  port: number,
  requireToken: boolean,
): GuardVerdict {
  if (headers.host === undefined || !allowedHosts(port).has(headers.host)) {
    return {
      ok: false,
      status: 403,
      code: 'forbidden',
      message: `Host "${headers.host ?? ''}" is not allowed; open http://127.0.0.1:${port}/ instead.`,
    };
  }
  if (headers.origin !== undefined && !allowedOrigins(port).has(headers.origin)) {
    return {
      ok: false,
      status: 403,
      code: 'forbidden',
      message: `Requests from origin ${headers.origin} are refused; only pages served by this server may call it.`,
    };
  }
  if (requireToken && !tokenMatches(presentedToken, token)) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'Missing or wrong access token. Open the URL that `mts serve` printed (it ends with #token=...).',
    };
  }
  return { ok: true };
}
