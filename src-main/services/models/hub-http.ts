/**
 * The hub's small API answers (file lists, search, HEAD) over node:http, not fetch: a process's first fetch
 * loads and compiles undici (about 90 ms wall, 35 ms CPU, measured here), which a one-shot `mts models pull`
 * pays every time; node:http is already loaded for the downloads.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ServiceError } from '../api/errors';

const TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export interface HubAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One GET or HEAD; GETs follow redirects (a renamed repo), HEADs do not (the hub's own headers are wanted). */
export function hubRequest(
  method: 'GET' | 'HEAD',
  url: string,
  headers: Readonly<Record<string, string>>,
  hops = 0,
): Promise<HubAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HubAnswer>((resolve, reject) => {
    const req = send(target, { method, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (method === 'GET' && status >= 300 && status < 400 && location && hops < MAX_REDIRECTS) {
          // The token stays with the hub's own host.
          const next = new URL(location, target);
          const sameHost = next.host === target.host;
          const { authorization, ...rest } = headers;
          resolve(hubRequest(method, next.href, sameHost && authorization ? headers : rest, hops + 1));
          return;
        }
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.end();
  });
}

/** The answer's body as JSON; anything else means HF_ENDPOINT is not a hub. */
export function jsonOf(answer: HubAnswer, url: string): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new ServiceError(
      'unavailable',
      `The answer from ${url} is not JSON; is HF_ENDPOINT (${new URL(url).origin}) a Hugging Face hub?`,
    );
  }
}
