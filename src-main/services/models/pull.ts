/**
 * `mts models pull <repo-id>`: downloads a BERT-family model into the Hugging Face cache, verified.
 *
 * Why not @huggingface/hub's snapshotDownload (it writes the same cache layout): it has no progress
 * callback, does not resume an interrupted transfer and does not check the bytes against the hub's hash,
 * and a desktop user on a slow or flaky line needs all three. The protocol is small (hub-client.ts).
 *
 * Each file goes to blobs/<etag>.incomplete, resumed with a Range request from what is already there,
 * hashed while it streams (sha256 for LFS files, git's blob sha1 for the others) and renamed into place only
 * when the hash matches, so a partial or tampered file is never taken for a complete one. config.json comes
 * first: a repo that is not BERT-family is refused before its weights are fetched.
 */
import { createHash, type Hash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { open } from 'node:fs/promises';
import { loadHfBertConfig } from '../../engine/model';
import { ServiceError } from '../api/errors';
import { cachedSnapshot, hubCacheDir, parseRepoId, repoFolder } from './hub-cache';
import { type FileMeta, fileMeta, openDownload, revisionInfo } from './hub-client';

/** Progress of a pull, for a progress bar with speed and time left. */
export interface PullProgress {
  readonly file: string;
  readonly doneBytes: number;
  readonly totalBytes: number;
  readonly bytesPerSec: number;
}

export interface PullOptions {
  readonly revision?: string;
  readonly onProgress?: (p: PullProgress) => void;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

export interface PullResult {
  readonly repoId: string;
  readonly commit: string;
  readonly dir: string;
  /** Bytes transferred now (0 when everything was cached; less than the total after a resume). */
  readonly downloadedBytes: number;
  readonly totalBytes: number;
}

const WRITE_BATCH = 4 * 1024 * 1024;
const TOKENIZER_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Pulls `repoId` at a revision (default main) into the cache; offline, serves what the cache has. */
export async function pullModel(repoId: string, options: PullOptions = {}): Promise<PullResult> {
  const env = options.env ?? process.env;
  if (parseRepoId(repoId) === null) {
    throw new ServiceError(
      'invalid_input',
      `'${repoId}' is not a hub repo id; write it as org/name, e.g. sentence-transformers/all-MiniLM-L6-v2.`,
    );
  }
  const revision = options.revision ?? 'main';
  const cache = hubCacheDir(env);
  if (env.HF_HUB_OFFLINE === '1') return fromCache(cache, repoId, revision, 'HF_HUB_OFFLINE=1');
  let info;
  try {
    info = await revisionInfo(repoId, revision, env);
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    return fromCache(cache, repoId, revision, `the hub cannot be reached (${(err as Error).message})`);
  }
  if (!info.files.includes('model.safetensors')) {
    throw new ServiceError(
      'invalid_input',
      `'${repoId}' has no model.safetensors; only safetensors weights are loaded (no pickled .bin files).`,
    );
  }
  const files = ['config.json', ...TOKENIZER_FILES.filter((f) => info.files.includes(f)), 'model.safetensors'];
  const folder = repoFolder(cache, repoId);
  const snapshot = path.join(folder, 'snapshots', info.commit);
  const metas = new Map<string, FileMeta>();
  for (const f of files) metas.set(f, await fileMeta(repoId, info.commit, f, env));
  const totalBytes = [...metas.values()].reduce((n, m) => n + m.size, 0);
  const progress = new ProgressMeter(totalBytes, options.onProgress);
  let downloadedBytes = 0;
  for (const file of files) {
    downloadedBytes += await fetchBlob(
      repoId,
      info.commit,
      file,
      metas.get(file)!,
      folder,
      progress,
      options.signal,
      env,
    );
    link(snapshot, file, metas.get(file)!.etag);
    if (file === 'config.json') refuseNonBert(snapshot, repoId);
  }
  mkdirSync(path.join(folder, 'refs'), { recursive: true });
  if (revision !== info.commit) writeFileSync(path.join(folder, 'refs', revision), info.commit);
  return { repoId, commit: info.commit, dir: snapshot, downloadedBytes, totalBytes };
}

function fromCache(cache: string, repoId: string, revision: string, why: string): PullResult {
  const dir = cachedSnapshot(cache, repoId, revision);
  if (dir === null) {
    throw new ServiceError(
      'unavailable',
      `'${repoId}' (${revision}) is not in the model cache (${cache}) and ${why}. Pull it once online, or pass --model a local folder.`,
    );
  }
  return { repoId, commit: path.basename(dir), dir, downloadedBytes: 0, totalBytes: 0 };
}

function refuseNonBert(snapshot: string, repoId: string): void {
  try {
    loadHfBertConfig(snapshot);
  } catch (err) {
    throw new ServiceError(
      'invalid_input',
      `'${repoId}' is not a BERT-family model, so its weights were not downloaded: ${(err as Error).message}`,
    );
  }
}

// Downloads one file into blobs/, resuming and verifying; returns the bytes transferred now.
async function fetchBlob(
  repoId: string,
  commit: string,
  file: string,
  meta: FileMeta,
  folder: string,
  progress: ProgressMeter,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const blobs = path.join(folder, 'blobs');
  const blob = path.join(blobs, meta.etag);
  if (existsSync(blob) && statSync(blob).size === meta.size) {
    progress.add(file, meta.size);
    return 0;
  }
  mkdirSync(blobs, { recursive: true });
  const partial = `${blob}.incomplete`;
  let start = existsSync(partial) ? statSync(partial).size : 0;
  if (start > meta.size) {
    rmSync(partial);
    start = 0;
  }
  const hash = meta.lfs ? createHash('sha256') : createHash('sha1').update(`blob ${meta.size}\0`);
  if (start > 0) await hashFile(partial, hash);
  const { body, resumed } = await openDownload(repoId, commit, file, start, signal, env);
  if (start > 0 && !resumed) {
    // The server ignored the Range: start over.
    rmSync(partial);
    return fetchBlob(repoId, commit, file, meta, folder, progress, signal, env);
  }
  progress.add(file, start);
  let transferred = 0;
  // Straight from the response into the file, hashed on the way (node:http: see openDownload).
  const out = await open(partial, start > 0 ? 'a' : 'w');
  try {
    // Writes gather 4 MB: one write per network chunk (~64 KB) spends more time waiting than downloading.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      await out.write(Buffer.concat(pending, pendingBytes));
      transferred += pendingBytes;
      pending = [];
      pendingBytes = 0;
    };
    try {
      // 'data' events, not an async iterator: on a cut connection the iterator can drop the last chunk it had
      // buffered, and every byte kept is one the resume need not fetch again.
      await new Promise<void>((resolve, reject) => {
        body.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          pending.push(chunk);
          pendingBytes += chunk.length;
          progress.add(file, chunk.length);
          if (pendingBytes >= WRITE_BATCH) {
            body.pause();
            flush().then(() => body.resume(), reject);
          }
        });
        // 'close' comes last whichever way the transfer ended: complete, cut short, or failed.
        body.on('close', () => (body.complete ? resolve() : reject(new Error('the connection closed early'))));
        body.on('error', reject);
      });
    } finally {
      await flush(); // what arrived before a cut is kept for the resume
    }
  } catch (err) {
    throw new ServiceError(
      'unavailable',
      `The download of ${file} stopped after ${start + transferred} of ${meta.size} bytes (${(err as Error).message}); pull again to resume.`,
    );
  } finally {
    await out.close();
  }
  const got = statSync(partial).size;
  const digest = hash.digest('hex');
  if (got !== meta.size || digest !== meta.etag) {
    rmSync(partial, { force: true });
    throw new ServiceError(
      'io',
      `${file} of '${repoId}' does not match the hub's ${meta.lfs ? 'sha256' : 'hash'} (${got} bytes, ${digest.slice(0, 12)}… instead of ${meta.size} bytes, ${meta.etag.slice(0, 12)}…); it was deleted. Pull again; if it happens again, the download is being altered on the way.`,
    );
  }
  renameSync(partial, blob);
  return transferred;
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

// snapshots/<commit>/<file> -> ../../blobs/<etag>, as huggingface_hub links them.
function link(snapshot: string, file: string, etag: string): void {
  const target = path.join(snapshot, file);
  mkdirSync(path.dirname(target), { recursive: true });
  rmSync(target, { force: true });
  symlinkSync(path.relative(path.dirname(target), path.join(snapshot, '..', '..', 'blobs', etag)), target);
}

class ProgressMeter {
  private done = 0;
  private readonly t0 = performance.now();
  private lastReport = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress: ((p: PullProgress) => void) | undefined,
  ) {}

  add(file: string, bytes: number): void {
    this.done += bytes;
    const now = performance.now();
    if (this.onProgress === undefined || (now - this.lastReport < 200 && this.done < this.total)) return;
    this.lastReport = now;
    const seconds = Math.max((now - this.t0) / 1000, 1e-3);
    this.onProgress({ file, doneBytes: this.done, totalBytes: this.total, bytesPerSec: this.done / seconds });
  }
}
