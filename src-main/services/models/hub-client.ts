/**
 * The hub's HTTP protocol, the parts a model pull needs (as huggingface_hub speaks it; HF_ENDPOINT points it
 * at a mirror or a test server): the model search, the revision's commit and file list with each file's size
 * and hash (or HEAD on /resolve: X-Linked-Etag / X-Linked-Size for LFS files, ETag for git files). The
 * downloads themselves are in download.ts.
 */
import { ServiceError } from '../api/errors';
import { hubRequest, jsonOf } from './hub-http';

/** The hub's base URL. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** Authorization for gated and private repos (HF_TOKEN, as huggingface_hub reads it). */
export function headers(env: NodeJS.ProcessEnv): Record<string, string> {
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

export interface FileMeta {
  readonly size: number;
  /** sha256 (hex) for LFS files, git blob sha1 (hex) for the others. */
  readonly etag: string;
  readonly lfs: boolean;
}

export interface RevisionInfo {
  readonly commit: string;
  readonly files: readonly string[];
  /** Size and hash of the files whose metadata came with the answer (`?blobs=true`); HEAD finds the others. */
  readonly metas: ReadonlyMap<string, FileMeta>;
}

interface Sibling {
  readonly rfilename?: unknown;
  readonly size?: unknown;
  readonly blobId?: unknown;
  readonly lfs?: { readonly sha256?: unknown; readonly size?: unknown } | null;
}

/**
 * The commit a revision points at and the files in it, with their sizes and hashes when the hub gives them
 * (`blobs=true`, as huggingface_hub asks): one request instead of a HEAD per file.
 */
export async function revisionInfo(
  repoId: string,
  revision: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RevisionInfo> {
  const url = `${hubEndpoint(env)}/api/models/${repoId}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const res = await hubRequest('GET', url, headers(env));
  if (res.status !== 200) throw hubError(res.status, repoId, `revision ${revision}`);
  const body = jsonOf(res, url) as { sha?: unknown; siblings?: readonly Sibling[] };
  if (typeof body.sha !== 'string' || !Array.isArray(body.siblings)) {
    throw new ServiceError(
      'unavailable',
      `The hub's answer for '${repoId}' has no commit or file list; is HF_ENDPOINT a hub?`,
    );
  }
  const siblings = body.siblings.filter((s): s is Sibling & { rfilename: string } => typeof s.rfilename === 'string');
  const metas = new Map<string, FileMeta>();
  for (const s of siblings) {
    const meta = siblingMeta(s);
    if (meta) metas.set(s.rfilename, meta);
  }
  return { commit: body.sha, files: siblings.map((s) => s.rfilename), metas };
}

function siblingMeta(s: Sibling): FileMeta | null {
  if (s.lfs && typeof s.lfs.sha256 === 'string' && typeof s.lfs.size === 'number') {
    return HASH.test(s.lfs.sha256) ? { size: s.lfs.size, etag: s.lfs.sha256, lfs: true } : null;
  }
  if (typeof s.blobId === 'string' && typeof s.size === 'number' && HASH.test(s.blobId)) {
    return { size: s.size, etag: s.blobId, lfs: false };
  }
  return null;
}

const HASH = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A repo the hub's search found. */
export interface HubSearchHit {
  readonly id: string;
  readonly downloads: number;
  readonly likes: number;
  readonly pipelineTag: string | null;
  readonly tags: readonly string[];
}

/** Repos whose id contains `query` (the hub's model search), most downloaded first. */
export async function searchModels(
  query: string,
  limit: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HubSearchHit[]> {
  const params = new URLSearchParams({ search: query, limit: String(limit), sort: 'downloads', direction: '-1' });
  const url = `${hubEndpoint(env)}/api/models?${params}`;
  const res = await hubRequest('GET', url, headers(env));
  if (res.status !== 200) throw hubError(res.status, query, 'search');
  const body = jsonOf(res, url);
  if (!Array.isArray(body)) {
    throw new ServiceError('unavailable', `The hub's search answer is not a list; is HF_ENDPOINT a hub?`);
  }
  return body.flatMap((m: Record<string, unknown>) => {
    const id = typeof m.id === 'string' ? m.id : typeof m.modelId === 'string' ? m.modelId : null;
    if (id === null) return [];
    const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
    return [
      {
        id,
        downloads: num(m.downloads),
        likes: num(m.likes),
        pipelineTag: typeof m.pipeline_tag === 'string' ? m.pipeline_tag : null,
        tags: Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === 'string') : [],
      },
    ];
  });
}

/** Size and hash of one file at a commit. */
export async function fileMeta(
  repoId: string,
  commit: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FileMeta> {
  const res = await hubRequest('HEAD', resolveUrl(repoId, commit, file, env), headers(env));
  if (res.status >= 400) throw hubError(res.status, repoId, file);
  const header = (name: string): string | undefined => {
    const v = res.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const linked = header('x-linked-etag');
  const etag = (linked ?? header('etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
  const size = Number(header('x-linked-size') ?? header('content-length'));
  if (!HASH.test(etag) || !Number.isFinite(size)) {
    throw new ServiceError(
      'unavailable',
      `The hub gave no usable size or hash for ${file} of '${repoId}'; cannot verify it, not downloading.`,
    );
  }
  return { size, etag, lfs: linked !== undefined };
}

/** The URL of a file at a commit (the hub redirects LFS files to its storage). */
export function resolveUrl(repoId: string, commit: string, file: string, env: NodeJS.ProcessEnv): string {
  return `${hubEndpoint(env)}/${repoId}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`;
}
