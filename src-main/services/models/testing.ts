// Test helper: a local HTTP server on 127.0.0.1 that speaks the hub's protocol for model pulls (revision info,
// HEAD with X-Linked-Etag / X-Linked-Size on LFS files, ranged GETs), with faults to inject.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
const etagOf = (file: string, data: Buffer): string =>
  lfs(file)
    ? createHash('sha256').update(data).digest('hex')
    : createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');

/** Starts the hub on a free port. */
export async function startTestHub(repos: ReadonlyMap<string, TestRepo>): Promise<TestHub> {
  const requests: string[] = [];
  const faults: Faults = {};
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    requests.push(`${req.method} ${url}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    const repo = repos.get((info ?? resolve)?.[1] ?? '');
    if (!repo) return void res.writeHead(404).end('Repository not found');
    if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
      return void res.writeHead(401).end('Access to this model is restricted');
    }
    if (info) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({ sha: repo.commit, siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) }),
      );
    }
    const file = resolve![3]!;
    const data = repo.files.get(file);
    if (!data) return void res.writeHead(404).end('Entry not found');
    const etag = etagOf(file, data);
    const head = lfs(file)
      ? { 'x-linked-etag': `"${etag}"`, 'x-linked-size': String(data.length), etag: `"${etag}"` }
      : { etag: `"${etag}"` };
    if (req.method === 'HEAD') return void res.writeHead(200, { ...head, 'content-length': String(data.length) }).end();
    let body = data;
    if (faults.tamper === file) {
      body = Buffer.from(data);
      body[body.length - 1] ^= 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      ...head,
      'content-length': String(slice.length),
      ...(range && { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }),
    });
    const cut = faults.cutAfter;
    if (cut?.file === file) {
      delete faults.cutAfter;
      // Part of the body, then the connection dies (a moment later, so the client has read what was sent).
      res.write(slice.subarray(0, cut.bytes), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
