/**
 * The hub's HTTP protocol, the parts a model pull needs (as huggingface_hub speaks it; HF_ENDPOINT points it
 * at a mirror or a test server): the revision's commit and file list, each file's size and hash (HEAD on
 * /resolve: X-Linked-Etag / X-Linked-Size for LFS files, ETag for git files), and ranged GETs to resume.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { ServiceError } from '../api/errors';

const DOWNLOAD_IDLE_MS = 60_000;

/** The hub's base URL. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** Authorization for gated and private repos (HF_TOKEN, as huggingface_hub reads it). */
function headers(env: NodeJS.ProcessEnv): Record<string, string> {
  return env.HF_TOKEN ? { authorization: `Bearer ${env.HF_TOKEN}` } : {};
}

/** A hub answer that is not success, turned into what happened and what to do. */
export function hubError(status: number, repoId: string, what: string): ServiceError {
  if (status === 404) {
    return new ServiceError(
      'not_found',
      `The hub has no model '${repoId}' (${what}: 404). Check the repo id (org/name, as in its URL) and the revision.`,
    );
  }
  if (status === 401 || status === 403) {
    return new ServiceError(
      'unavailable',
      `'${repoId}' is gated or private (${what}: ${status}). Accept its terms on the hub, then set HF_TOKEN to a token with read access` +
        ' (or check that the token you set is right).',
    );
  }
  return new ServiceError('unavailable', `The hub answered ${status} for ${what} of '${repoId}'; try again later.`);
}

export interface RevisionInfo {
  readonly commit: string;
  readonly files: readonly string[];
}

/** The commit a revision points at and the files in it. */
export async function revisionInfo(
  repoId: string,
  revision: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RevisionInfo> {
  const url = `${hubEndpoint(env)}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`;
  const res = await fetch(url, { headers: headers(env) });
  if (!res.ok) throw hubError(res.status, repoId, `revision ${revision}`);
  const body = (await res.json()) as { sha?: unknown; siblings?: { rfilename?: unknown }[] };
  if (typeof body.sha !== 'string' || !Array.isArray(body.siblings)) {
    throw new ServiceError(
      'unavailable',
      `The hub's answer for '${repoId}' has no commit or file list; is HF_ENDPOINT a hub?`,
    );
  }
  return {
    commit: body.sha,
    files: body.siblings.flatMap((s) => (typeof s.rfilename === 'string' ? [s.rfilename] : [])),
  };
}

export interface FileMeta {
  readonly size: number;
  /** sha256 (hex) for LFS files, git blob sha1 (hex) for the others. */
  readonly etag: string;
  readonly lfs: boolean;
}

/** Size and hash of one file at a commit. */
export async function fileMeta(
  repoId: string,
  commit: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FileMeta> {
  const res = await fetch(resolveUrl(repoId, commit, file, env), {
    method: 'HEAD',
    headers: headers(env),
    redirect: 'manual',
  });
  if (res.status >= 400) throw hubError(res.status, repoId, file);
  const linked = res.headers.get('x-linked-etag');
  const etag = (linked ?? res.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
  const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length'));
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(etag) || !Number.isFinite(size)) {
    throw new ServiceError(
      'unavailable',
      `The hub gave no usable size or hash for ${file} of '${repoId}'; cannot verify it, not downloading.`,
    );
  }
  return { size, etag, lfs: linked !== null };
}

/**
 * Opens a download of `file` from byte `start` (a Range request when resuming), following the hub's
 * redirects to its file storage. node:http rather than fetch: its streams run near curl's rate, fetch's web
 * streams at about half of it (bench:pull).
 */
export function openDownload(
  repoId: string,
  commit: string,
  file: string,
  start: number,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ readonly body: IncomingMessage; readonly resumed: boolean }> {
  const first = new URL(resolveUrl(repoId, commit, file, env));
  const request = (url: URL, hops: number): Promise<{ body: IncomingMessage; resumed: boolean }> =>
    new Promise((resolve, reject) => {
      // The token goes to the hub only, not to the storage it redirects to.
      const auth = url.host === first.host ? headers(env) : {};
      const get = url.protocol === 'https:' ? httpsGet : httpGet;
      const req = get(
        url,
        {
          headers: { ...auth, ...(start > 0 && { range: `bytes=${start}-` }) },
          // A connection of its own: a pooled one the server already closed could hang the request.
          agent: false,
          timeout: DOWNLOAD_IDLE_MS,
          ...(signal && { signal }),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (status >= 300 && status < 400 && location !== undefined && hops < 5) {
            res.resume();
            resolve(request(new URL(location, url), hops + 1));
            return;
          }
          if (status >= 400) {
            res.resume();
            reject(hubError(status, repoId, file));
            return;
          }
          resolve({ body: res, resumed: status === 206 });
        },
      );
      req.on('error', reject);
      // No byte for this long: give up (the pull can be resumed).
      req.on('timeout', () => req.destroy(new Error(`no data for ${DOWNLOAD_IDLE_MS / 1000} s`)));
    });
  return request(first, 0);
}

function resolveUrl(repoId: string, commit: string, file: string, env: NodeJS.ProcessEnv): string {
  return `${hubEndpoint(env)}/${repoId}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`;
}
