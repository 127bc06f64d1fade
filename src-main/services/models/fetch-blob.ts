/**
 * One file of a pull into blobs/: to blobs/<etag>.incomplete, resumed with a Range request from what is
 * already there, hashed while it streams (sha256 for LFS files, git's blob sha1 for the others) and renamed to
 * blobs/<etag> only when size and hash match, so a partial or tampered file is never taken for a complete one.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../api/errors';
import type { BlobWriter, OpenBlobWriter, StreamEnd } from './blob-stream';
import { openDownload } from './download';
import type { FileMeta } from './hub-client';
import type { ProgressMeter } from './progress';
import { inlineHash, offThreadHash, type StreamHash } from './stream-hash';

/** What every file of one pull shares. */
export interface BlobJob {
  readonly repoId: string;
  readonly commit: string;
  /** The repo's folder in the cache. */
  readonly folder: string;
  readonly progress: ProgressMeter;
  readonly signal: AbortSignal | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly openWriter: OpenBlobWriter;
}

/** The blob of a file, when it is complete. */
export function completeBlob(folder: string, meta: FileMeta): string | null {
  const blob = path.join(folder, 'blobs', meta.etag);
  return existsSync(blob) && statSync(blob).size === meta.size ? blob : null;
}

/** Bytes of a file already on disk: all of them, or what an interrupted pull kept. */
export function bytesOnDisk(folder: string, meta: FileMeta): number {
  if (completeBlob(folder, meta)) return meta.size;
  const partial = path.join(folder, 'blobs', `${meta.etag}.incomplete`);
  return existsSync(partial) ? Math.min(statSync(partial).size, meta.size) : 0;
}

/** Downloads one file into blobs/, resuming and verifying; returns the bytes transferred now. */
export async function fetchBlob(job: BlobJob, file: string, meta: FileMeta): Promise<number> {
  const blob = path.join(job.folder, 'blobs', meta.etag);
  if (completeBlob(job.folder, meta)) {
    job.progress.skip(file, meta.size);
    return 0;
  }
  mkdirSync(path.dirname(blob), { recursive: true });
  const partial = `${blob}.incomplete`;
  let start = existsSync(partial) ? statSync(partial).size : 0;
  if (start > meta.size) {
    rmSync(partial);
    start = 0;
  }
  const hash = streamHash(meta, start);
  if (start > 0) await hash.updateFromFile(partial);
  job.progress.begin();
  const { download, resumed } = await openDownload(job.repoId, job.commit, file, start, job.signal, job.env);
  if (start > 0 && !resumed) {
    // The server ignored the Range: start over.
    download.discard();
    rmSync(partial);
    return fetchBlob(job, file, meta);
  }
  job.progress.skip(file, start);
  // Straight from the response into the file, each batch hashed while it is written.
  const writer = await job.openWriter(partial, start > 0);
  const hashing: BlobWriter = {
    writev: async (chunks) => {
      await Promise.all([writer.writev(chunks), ...chunks.map((c) => hash.update(c))]);
    },
    close: () => writer.close(),
  };
  let end: StreamEnd;
  try {
    end = await download.pipe(hashing, (chunk) => job.progress.add(file, chunk.length));
  } finally {
    await writer.close();
  }
  const kept = start + end.written;
  // A failed write may have written part of its batch: the file says what is kept.
  if (end.kind === 'write_failed') throw writeFailed(end.error, file, partial, statSync(partial).size, meta.size);
  if (end.kind === 'cut') {
    if (job.signal?.aborted) throw cancelled(`during ${file} (${kept} of ${meta.size} bytes kept)`);
    throw new ServiceError(
      'unavailable',
      `The download of ${file} stopped after ${kept} of ${meta.size} bytes (${end.reason}); pull again to resume.`,
    );
  }
  const got = statSync(partial).size;
  const digest = await hash.digest();
  if (got !== meta.size || digest !== meta.etag) {
    rmSync(partial, { force: true });
    throw new ServiceError(
      'io',
      `${file} of '${job.repoId}' does not match the hub's ${meta.lfs ? 'sha256' : 'hash'} (${got} bytes, ${digest.slice(0, 12)}… instead of ${meta.size} bytes, ${meta.etag.slice(0, 12)}…); it was deleted. Pull again; if it happens again, the download is being altered on the way.`,
    );
  }
  renameSync(partial, blob);
  return end.written;
}

/** The error of a pull stopped by its AbortSignal (`detail`: when, and what was kept). */
export function cancelled(detail: string): ServiceError {
  return new ServiceError('cancelled', `The download was cancelled ${detail}; pull again to resume from there.`);
}

// A write that failed: a full disk says how much room the rest needs; the partial file stays for the resume.
function writeFailed(err: NodeJS.ErrnoException, file: string, partial: string, kept: number, size: number): Error {
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new ServiceError(
      'io',
      `The disk is full: ${file} stopped after ${kept} of ${size} bytes in ${path.dirname(partial)}. Free at least ${Math.ceil((size - kept) / 1e6)} MB there (or point HF_HUB_CACHE at a disk with room), then pull again to resume.`,
    );
  }
  return new ServiceError(
    'io',
    `Could not write ${file} to ${partial} (${err.code ?? err.message}) after ${kept} of ${size} bytes; check that folder, then pull again to resume.`,
  );
}

/** Files from this size are hashed on the worker thread. */
export const OFF_THREAD_BYTES = 8 << 20;

// sha256 for LFS files, git's blob sha1 (with its header) for the others.
function streamHash(meta: FileMeta, start: number): StreamHash {
  const algorithm = meta.lfs ? 'sha256' : 'sha1';
  const prefix = meta.lfs ? '' : `blob ${meta.size}\0`;
  return meta.size - start >= OFF_THREAD_BYTES ? offThreadHash(algorithm, prefix) : inlineHash(algorithm, prefix);
}

/** snapshots/<commit>/<file> -> ../../blobs/<etag>, as huggingface_hub links them. */
export function link(snapshot: string, file: string, etag: string): void {
  const target = path.join(snapshot, file);
  mkdirSync(path.dirname(target), { recursive: true });
  rmSync(target, { force: true });
  symlinkSync(path.relative(path.dirname(target), path.join(snapshot, '..', '..', 'blobs', etag)), target);
}
