/**
 * Opens a file's download from the hub at a byte offset (a Range request when resuming), following the hub's
 * redirects to its file storage. The body is read by raw-get.ts (large reusable buffers); a success without
 * Content-Length is asked again through node:http, whose 'data' events stream it the ordinary way.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { streamToWriter } from './blob-stream';
import { headers as authHeaders, hubError, resolveUrl } from './hub-client';
import { rawGet, type Download } from './raw-get';

const IDLE_MS = 60_000;
const MAX_REDIRECTS = 5;

/** The body of `file` from byte `start`; `resumed` says whether the server honoured the Range. */
export async function openDownload(
  repoId: string,
  commit: string,
  file: string,
  start: number,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ readonly download: Download; readonly resumed: boolean }> {
  const first = new URL(resolveUrl(repoId, commit, file, env));
  let url = first;
  for (let hops = 0; ; hops++) {
    // The token goes to the hub only, not to the storage it redirects to.
    const headers = {
      ...(url.host === first.host && authHeaders(env)),
      ...(start > 0 && { range: `bytes=${start}-` }),
    };
    const download = (await rawGet(url, headers, signal, IDLE_MS)) ?? (await nodeGet(url, headers, signal));
    const location = download.headers.get('location');
    if (download.status >= 300 && download.status < 400 && location !== undefined && hops < MAX_REDIRECTS) {
      download.discard();
      url = new URL(location, url);
      continue;
    }
    if (download.status >= 400 || download.status < 200) {
      download.discard();
      throw hubError(download.status, repoId, file);
    }
    return { download, resumed: download.status === 206 };
  }
}

/** The same GET through node:http, for bodies raw-get does not take (no Content-Length). */
function nodeGet(
  url: URL,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal | undefined,
): Promise<Download> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    // A connection of its own: a pooled one the server already closed could hang the request.
    const req = get(url, { headers, agent: false, timeout: IDLE_MS, ...(signal && { signal }) }, (res) =>
      resolve(fromIncoming(res)),
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no data for ${IDLE_MS / 1000} s`)));
  });
}

function fromIncoming(res: IncomingMessage): Download {
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
  return {
    status: res.statusCode ?? 0,
    headers,
    pipe: (writer, onChunk) => streamToWriter(res, writer, onChunk),
    discard: () => res.destroy(),
  };
}
