// Test helper: a local HTTP server on 127.0.0.1 that speaks the hub's protocol for model pulls (revision info,
// HEAD with X-Linked-Etag / X-Linked-Size on LFS files, ranged GETs), with faults to inject.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';

export interface TestRepo {
  readonly files: ReadonlyMap<string, Buffer>;
  readonly commit: string;
  /** Needs `Authorization: Bearer <token>` (a gated repo). */
  readonly token?: string;
}

export interface Faults {
  /** Cut the connection after this many bytes of the next GET of this file (once). */
  cutAfter?: { readonly file: string; readonly bytes: number };
  /** Serve this file with one byte flipped (its advertised hash stays the true one). */
  tamper?: string;
  /** Leave sizes and hashes out of the file list, as an older hub does (the client then asks with HEAD). */
  noBlobMeta?: boolean;
  /** Send file bodies at about this many bytes per second (a slow line, to cancel a download mid-way). */
  bytesPerSec?: number;
  /** Send file bodies without Content-Length (chunked), as some mirrors do. */
  chunked?: boolean;
  /** Answer GETs of LFS files with a redirect to /storage/..., as the hub does to its file storage. */
  redirectLfs?: boolean;
  /** Answer a Range request with the whole file (200), as some mirrors do. */
  ignoreRange?: boolean;
}

export interface TestHub {
  readonly endpoint: string;
  readonly requests: string[];
  readonly faults: Faults;
  close(): Promise<void>;
}

/** A repo from a model folder's files (*.safetensors are served as LFS files). */
export function repoFromFolder(dir: string, commit = 'a'.repeat(40)): TestRepo {
  const files = new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))] as const));
  return { files, commit };
}

const lfs = (file: string): boolean => file.endsWith('.safetensors');
// Hashes are computed once per file, as the hub stores them: hashing 90 MB on every request would time the
// test server, not the client (bench:pull).
const hashes = new WeakMap<Buffer, { sha1: string; sha256: string }>();
function hashesOf(data: Buffer): { sha1: string; sha256: string } {
  let h = hashes.get(data);
  if (h === undefined) {
    h = {
      sha1: createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex'),
      sha256: createHash('sha256').update(data).digest('hex'),
    };
    hashes.set(data, h);
  }
  return h;
}
const etagOf = (file: string, data: Buffer): string => (lfs(file) ? hashesOf(data).sha256 : hashesOf(data).sha1);

// Size and hash in the file list, as the hub answers `?blobs=true`.
function sibling(file: string, data: Buffer): Record<string, unknown> {
  const blobId = hashesOf(data).sha1;
  return lfs(file)
    ? { blobId, size: data.length, lfs: { sha256: etagOf(file, data), size: data.length } }
    : { blobId, size: data.length };
}

// GET /api/models?search=Q&limit=N: repos whose id contains Q.
function search(repos: ReadonlyMap<string, TestRepo>, params: URLSearchParams, res: ServerResponse): void {
  const q = (params.get('search') ?? '').toLowerCase();
  const limit = Number(params.get('limit') ?? 20);
  const hits = [...repos.keys()]
    .filter((id) => id.toLowerCase().includes(q))
    .slice(0, limit)
    .map((id, i) => ({ id, modelId: id, downloads: 1000 - i, likes: 0, tags: ['safetensors'] }));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hits));
}

// Sends `data` in 64 KB pieces paced to `bytesPerSec`; stops when the client goes away.
function trickle(res: ServerResponse, data: Buffer, bytesPerSec: number): void {
  const piece = 64 * 1024;
  let at = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (at >= data.length) return void res.end();
    res.write(data.subarray(at, at + piece));
    at += piece;
    setTimeout(next, (piece / bytesPerSec) * 1000);
  };
  next();
}

/** Starts the hub on a free port. */
export async function startTestHub(repos: ReadonlyMap<string, TestRepo>): Promise<TestHub> {
  const requests: string[] = [];
  const faults: Faults = {};
  for (const repo of repos.values()) for (const data of repo.files.values()) hashesOf(data);
  let storageBase = '';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const parsed = new URL(req.url ?? '/', 'http://hub');
    const url = decodeURIComponent(parsed.pathname);
    const auth = req.headers.authorization ? ' (token)' : '';
    requests.push(`${req.method} ${url}${req.headers.range ? ` ${req.headers.range}` : ''}${auth}`);
    if (url === '/api/models') return void search(repos, parsed.searchParams, res);
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url);
    const resolve = /^\/(storage\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    const repo = repos.get(info?.[1] ?? resolve?.[2] ?? '');
    if (!repo) return void res.writeHead(404).end('Repository not found');
    const storage = resolve?.[1] !== undefined && parsed.searchParams.get('signed') === 'yes';
    if (!storage && repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
      return void res.writeHead(401).end('Access to this model is restricted');
    }
    if (info) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const blobs = parsed.searchParams.get('blobs') === 'true' && !faults.noBlobMeta;
      const siblings = [...repo.files].map(([rfilename, data]) => ({
        rfilename,
        ...(blobs && sibling(rfilename, data)),
      }));
      return void res.end(JSON.stringify({ id: info[1], sha: repo.commit, siblings }));
    }
    const file = resolve![4]!;
    const data = repo.files.get(file);
    if (!data) return void res.writeHead(404).end('Entry not found');
    const etag = etagOf(file, data);
    const head = lfs(file)
      ? { 'x-linked-etag': `"${etag}"`, 'x-linked-size': String(data.length), etag: `"${etag}"` }
      : { etag: `"${etag}"` };
    if (req.method === 'HEAD') return void res.writeHead(200, { ...head, 'content-length': String(data.length) }).end();
    if (faults.redirectLfs && lfs(file) && !storage) {
      // To another host (port), as the hub sends LFS files to its storage: the token must not follow.
      const location = `${storageBase}/storage${url}?signed=yes`;
      return void res.writeHead(302, { ...head, location }).end('Found. Redirecting');
    }
    let body = data;
    if (faults.tamper === file) {
      body = Buffer.from(data);
      body[body.length - 1] ^= 0xff;
    }
    const range = faults.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      ...head,
      ...(!faults.chunked && { 'content-length': String(slice.length) }),
      ...(range && { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }),
    });
    const cut = faults.cutAfter;
    if (cut?.file === file) {
      delete faults.cutAfter;
      // Part of the body, then the connection dies (a moment later, so the client has read what was sent).
      res.write(slice.subarray(0, cut.bytes), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    if (faults.bytesPerSec !== undefined) return void trickle(res, slice, faults.bytesPerSec);
    res.end(slice);
  };
  const listen = async (): Promise<{ server: Server; base: string }> => {
    const server = createServer(handle);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
  };
  const hubServer = await listen();
  const storage = await listen();
  storageBase = storage.base;
  const stop = (server: Server): Promise<void> =>
    new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  return {
    endpoint: hubServer.base,
    requests,
    faults,
    close: async () => {
      await Promise.all([stop(hubServer.server), stop(storage.server)]);
    },
  };
}
