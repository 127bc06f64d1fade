/**
 * `mts models pull <repo-id>`: downloads a BERT-family model into the Hugging Face cache, verified.
 *
 * Why not @huggingface/hub's snapshotDownload (it writes the same cache layout): it has no progress
 * callback, does not resume an interrupted transfer and does not check the bytes against the hub's hash,
 * and a desktop user on a slow or flaky line needs all three. The protocol is small (hub-client.ts).
 *
 * Files are fetched, resumed and verified one by one (fetch-blob.ts). config.json comes first: a repo that is
 * not BERT-family is refused before its weights are fetched.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadHfBertConfig } from '../../engine/model';
import { ServiceError } from '../api/errors';
import { openFileWriter, type OpenBlobWriter } from './blob-stream';
import { bytesOnDisk, cancelled, fetchBlob, link, OFF_THREAD_BYTES, type BlobJob } from './fetch-blob';
import { cachedSnapshot, hubCacheDir, parseRepoId, repoFolder } from './hub-cache';
import { type FileMeta, fileMeta, revisionInfo } from './hub-client';
import { ProgressMeter, type PullProgress } from './progress';
import { warmHashWorker } from './stream-hash';

export type { PullProgress } from './progress';

export interface PullOptions {
  readonly revision?: string;
  readonly onProgress?: (p: PullProgress) => void;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** Where blob bytes are written (default: the file system; tests inject a full disk). */
  readonly openWriter?: OpenBlobWriter;
}

export interface PullResult {
  readonly repoId: string;
  readonly commit: string;
  readonly dir: string;
  /** Bytes transferred now (0 when everything was cached; less than the total after a resume). */
  readonly downloadedBytes: number;
  readonly totalBytes: number;
}

/** What a pull of a revision would fetch: the files, their sizes and what the cache already holds. */
export interface PullPlan {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string;
  readonly files: readonly { readonly name: string; readonly meta: FileMeta }[];
  readonly totalBytes: number;
  /** Bytes already in the cache (complete files and kept parts of interrupted ones). */
  readonly cachedBytes: number;
}

const TOKENIZER_FILES = ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** `repoId` checked as `org/name`, or an invalid_input error that shows the form. */
export function checkRepoId(repoId: string): string {
  if (parseRepoId(repoId) === null) {
    throw new ServiceError(
      'invalid_input',
      `'${repoId}' is not a hub repo id; write it as org/name, e.g. sentence-transformers/all-MiniLM-L6-v2.`,
    );
  }
  return repoId.trim();
}

/** Asks the hub what a pull of `repoId` at a revision would download (network; nothing is written). */
export async function planPull(repoId: string, options: PullOptions = {}): Promise<PullPlan> {
  const env = options.env ?? process.env;
  const revision = options.revision ?? 'main';
  const info = await revisionInfo(checkRepoId(repoId), revision, env);
  if (!info.files.includes('model.safetensors')) {
    throw new ServiceError(
      'invalid_input',
      `'${repoId}' has no model.safetensors; only safetensors weights are loaded (no pickled .bin files). Pick another repo.`,
    );
  }
  const names = ['config.json', ...TOKENIZER_FILES.filter((f) => info.files.includes(f)), 'model.safetensors'];
  // A hub that did not give sizes and hashes with the file list: one HEAD per file, all at once.
  const files = await Promise.all(
    names.map(async (name) => ({
      name,
      meta: info.metas.get(name) ?? (await fileMeta(repoId, info.commit, name, env)),
    })),
  );
  const folder = repoFolder(hubCacheDir(env), repoId);
  return {
    repoId,
    revision,
    commit: info.commit,
    files,
    totalBytes: files.reduce((n, f) => n + f.meta.size, 0),
    cachedBytes: files.reduce((n, f) => n + bytesOnDisk(folder, f.meta), 0),
  };
}

/** Pulls `repoId` at a revision (default main) into the cache; offline, serves what the cache has. */
export async function pullModel(repoId: string, options: PullOptions = {}): Promise<PullResult> {
  const env = options.env ?? process.env;
  const revision = options.revision ?? 'main';
  const cache = hubCacheDir(env);
  checkRepoId(repoId);
  if (env.HF_HUB_OFFLINE === '1') return fromCache(cache, repoId, revision, 'HF_HUB_OFFLINE=1');
  let plan: PullPlan;
  try {
    plan = await planPull(repoId, options);
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    if (options.signal?.aborted) throw cancelled('before it started');
    return fromCache(cache, repoId, revision, `the hub cannot be reached (${(err as Error).message})`);
  }
  return fetchPlan(plan, options);
}

function blobJob(plan: PullPlan, options: PullOptions, totalBytes: number): BlobJob {
  const env = options.env ?? process.env;
  return {
    repoId: plan.repoId,
    commit: plan.commit,
    folder: repoFolder(hubCacheDir(env), plan.repoId),
    progress: new ProgressMeter(totalBytes, options.onProgress),
    signal: options.signal,
    env,
    openWriter: options.openWriter ?? openFileWriter,
  };
}

/** Fetches only the plan's config.json (a few hundred bytes) into the snapshot; returns the snapshot folder. */
export async function fetchConfig(plan: PullPlan, options: PullOptions = {}): Promise<string> {
  const config = plan.files.find((f) => f.name === 'config.json');
  const job = blobJob(plan, options, config?.meta.size ?? 0);
  const snapshot = path.join(job.folder, 'snapshots', plan.commit);
  if (config === undefined) {
    throw new ServiceError(
      'invalid_input',
      `'${plan.repoId}' has no config.json, so it is not a model the app can train.`,
    );
  }
  await fetchBlob(job, config.name, config.meta);
  link(snapshot, config.name, config.meta.etag);
  return snapshot;
}

/** Downloads what `plan` lists (config.json first, checked for BERT) and links the snapshot. */
export async function fetchPlan(plan: PullPlan, options: PullOptions = {}): Promise<PullResult> {
  const job = blobJob(plan, options, plan.totalBytes);
  const folder = job.folder;
  // The hashing thread starts while the small files come (see fetch-blob's OFF_THREAD_BYTES).
  if (plan.files.some((f) => f.meta.size >= OFF_THREAD_BYTES)) warmHashWorker();
  const snapshot = path.join(folder, 'snapshots', plan.commit);
  let downloadedBytes = 0;
  for (const { name, meta } of plan.files) {
    try {
      downloadedBytes += await fetchBlob(job, name, meta);
    } catch (err) {
      if (options.signal?.aborted && !(err instanceof ServiceError)) {
        throw cancelled(`during ${name} (${bytesOnDisk(folder, meta)} of ${meta.size} bytes kept)`);
      }
      throw err;
    }
    link(snapshot, name, meta.etag);
    if (name === 'config.json') refuseNonBert(snapshot, plan.repoId);
  }
  mkdirSync(path.join(folder, 'refs'), { recursive: true });
  if (plan.revision !== plan.commit) writeFileSync(path.join(folder, 'refs', plan.revision), plan.commit);
  return { repoId: plan.repoId, commit: plan.commit, dir: snapshot, downloadedBytes, totalBytes: plan.totalBytes };
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

/** Throws invalid_input unless the snapshot's config.json is a BERT-family config. */
export function refuseNonBert(snapshot: string, repoId: string): void {
  try {
    loadHfBertConfig(snapshot);
  } catch (err) {
    throw new ServiceError(
      'invalid_input',
      `'${repoId}' is not a BERT-family model, so its weights were not downloaded: ${(err as Error).message}`,
    );
  }
}
