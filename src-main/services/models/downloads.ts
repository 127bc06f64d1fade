/**
 * Downloads started from the app: each runs in the background of the main process (the call that starts it
 * returns at once), reports progress a few times a second and its end, and can be cancelled. A cancelled or
 * failed download keeps its partial file as blobs/<hash>.incomplete; the next download of the repo resumes it.
 */
import type { ModelDownloadInfo } from '../../../src-preload/contract';
import { ServiceError } from '../api/errors';
import { unreachable } from './inspect';
import { checkRepoId, pullModel, type PullOptions } from './pull';

interface Job {
  info: ModelDownloadInfo;
  readonly abort: AbortController;
  readonly done: Promise<unknown>;
}

const keyOf = (repoId: string, revision: string): string => `${repoId}@${revision}`;

/** The downloads of one app session. */
export class ModelDownloads {
  readonly #jobs = new Map<string, Job>();
  #nextId = 1;

  constructor(
    private readonly emit: (info: ModelDownloadInfo) => void,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly pullOptions: Pick<PullOptions, 'openWriter'> = {},
  ) {}

  /** Starts a download (or returns the running one of the same repo and revision). */
  start(repoId: string, revision = 'main'): ModelDownloadInfo {
    checkRepoId(repoId);
    const key = keyOf(repoId, revision);
    const running = this.#jobs.get(key);
    if (running?.info.state === 'running') return running.info;
    const abort = new AbortController();
    const info: ModelDownloadInfo = {
      id: this.#nextId++,
      repoId,
      revision,
      state: 'running',
      file: null,
      doneBytes: 0,
      totalBytes: 0,
      bytesPerSec: 0,
      etaSec: null,
      dir: null,
      error: null,
    };
    let current = info;
    const update = (patch: Partial<ModelDownloadInfo>): void => {
      current = { ...current, ...patch };
      job.info = current;
      this.emit(current);
    };
    const done = pullModel(repoId, {
      revision,
      env: this.env,
      signal: abort.signal,
      ...this.pullOptions,
      onProgress: (p) =>
        update({
          file: p.file,
          doneBytes: p.doneBytes,
          totalBytes: p.totalBytes,
          bytesPerSec: p.bytesPerSec,
          etaSec: p.etaSec,
        }),
    }).then(
      (result) =>
        update({
          state: 'completed',
          dir: result.dir,
          etaSec: 0,
          doneBytes: Math.max(current.doneBytes, result.totalBytes),
          totalBytes: Math.max(current.totalBytes, result.totalBytes),
        }),
      (err: unknown) => {
        const e = unreachable(err, this.env);
        update({
          state: e.code === 'cancelled' ? 'cancelled' : 'failed',
          bytesPerSec: 0,
          etaSec: null,
          error: { code: e.code, message: e.message },
        });
      },
    );
    const job: Job = { info, abort, done };
    this.#jobs.set(key, job);
    return info;
  }

  /** Asks a running download to stop; false when there is none. */
  cancel(repoId: string, revision = 'main'): boolean {
    const job = this.#jobs.get(keyOf(repoId, revision));
    if (job?.info.state !== 'running') return false;
    job.abort.abort();
    return true;
  }

  /** Every download of the session, running ones first. */
  list(): ModelDownloadInfo[] {
    const order = (i: ModelDownloadInfo): number => (i.state === 'running' ? 0 : 1);
    return [...this.#jobs.values()].map((j) => j.info).sort((a, b) => order(a) - order(b));
  }

  /** Resolves when the download ends (tests; the app follows events). */
  async settled(repoId: string, revision = 'main'): Promise<ModelDownloadInfo> {
    const job = this.#jobs.get(keyOf(repoId, revision));
    if (!job) throw new ServiceError('not_found', `No download of '${repoId}' (${revision}) was started.`);
    await job.done;
    return job.info;
  }
}
