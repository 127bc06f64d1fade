import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { builtEntry } from '../runtime';
import type { TrainEvent } from './events';
import type { TrainResult } from './trainer';
import type { StartMessage, TrainJob, WorkerMessage } from './worker-protocol';

/** Training failed inside the worker; carries the original error's name and message. */
export class TrainingFailedError extends Error {
  constructor(
    readonly causeName: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingFailedError';
  }
}

/** Where the worker script is: beside this module in source (run through tsx) or in the built out/main. */
export function defaultWorkerScript(): { path: string; execArgv: string[] } {
  const built = builtEntry(import.meta.url, 'train-worker.js');
  return { path: built ?? join(dirname(fileURLToPath(import.meta.url)), 'train-worker.dev.mjs'), execArgv: [] };
}

export interface WorkerRunOptions {
  readonly onEvent?: (event: TrainEvent) => void;
  /** Cancels at the next step; the run ends with status 'cancelled' and a consistent resume folder. */
  readonly signal?: AbortSignal;
  readonly script?: { path: string; execArgv: string[] };
}

/** Runs a training job in a worker thread, streaming its events; resolves with the result. */
export function trainInWorker(job: TrainJob, options: WorkerRunOptions = {}): Promise<TrainResult> {
  const script = options.script ?? defaultWorkerScript();
  const cancelFlag = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancelFlag);
  const worker = new Worker(script.path, { execArgv: script.execArgv });
  const cancel = (): void => void Atomics.store(flag, 0, 1);
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  return new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', cancel);
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'event') options.onEvent?.(m.event);
      else if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(new TrainingFailedError(m.name, m.message)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`the training worker exited with code ${code} before finishing.`))),
    );
    const start: StartMessage = { type: 'start', job, cancelFlag };
    worker.postMessage(start);
  });
}
