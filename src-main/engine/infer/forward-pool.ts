// A ForwardFn over several worker threads, each with its own CPU session of the same inference graph, so the
// predictor's batches run side by side (Predictor option `inFlight`). On the CPU this outruns one session
// with as many intra-op threads: measured on 2 cores, int8 MiniLM, 1,000 AG News texts, one 2-thread session
// 3.5-3.8 s, one 1-thread session 5.9-6.2 s (see bench:infer for the pool itself).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { builtEntry } from '../runtime';
import { InferenceError } from './errors';
import type { PoolReply, PoolRequest } from './forward-pool-protocol';
import type { BatchFeeds, ForwardFn, ForwardOutputs, OutputRequest } from './ports';

/** Where the worker script is: beside this module in source (through tsx) or in the built out/main. */
export function forwardWorkerScript(): string {
  return (
    builtEntry(import.meta.url, 'forward-worker.js') ??
    join(dirname(fileURLToPath(import.meta.url)), 'forward-worker.dev.mjs')
  );
}

export interface ForwardPoolOptions {
  /** Worker threads, each with its own session (at least 1). */
  readonly workers: number;
  /** Intra-op threads of each worker's session. Default 1. */
  readonly threadsPerWorker?: number;
  /** The worker script (tests); default forwardWorkerScript(). */
  readonly script?: string;
}

/** A pool's forward function; release() closes every worker's session. */
export interface ForwardPool {
  readonly forward: ForwardFn;
  readonly workers: number;
  release(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly feeds: BatchFeeds;
  readonly want: OutputRequest;
  readonly resolve: (o: ForwardOutputs) => void;
  readonly reject: (e: Error) => void;
}

/** Starts `workers` workers on a serialised inference graph; resolves once every session is open. */
export async function createForwardPool(model: Uint8Array, o: ForwardPoolOptions): Promise<ForwardPool> {
  if (!Number.isInteger(o.workers) || o.workers < 1)
    throw new InferenceError(`workers ${o.workers} must be a whole number of at least 1.`);
  const threads = o.threadsPerWorker ?? 1;
  const script = o.script ?? forwardWorkerScript();
  const workers = Array.from({ length: o.workers }, () => new Worker(script));
  const idle: Worker[] = [];
  const queue: Job[] = [];
  const running = new Map<Worker, Job>();
  let broken: Error | null = null;
  let closing = false;
  let nextId = 0;

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      running.set(w, job);
      w.ref(); // a batch in flight keeps the process alive; an idle pool does not
      const msg: PoolRequest = { type: 'run', id: job.id, feeds: job.feeds, want: job.want };
      w.postMessage(msg);
    }
  };
  const fail = (err: Error): void => {
    broken ??= err;
    for (const job of [...running.values(), ...queue.splice(0)]) job.reject(broken);
    running.clear();
  };

  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('message', (m: PoolReply) =>
            m.type === 'ready'
              ? resolve()
              : reject(new InferenceError(`A prediction worker could not open the model: ${describe(m)}`)),
          );
          w.once('error', reject);
          const init: PoolRequest = { type: 'init', model, threads };
          w.postMessage(init);
        }),
    ),
  ).catch(async (err: unknown) => {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  });

  for (const w of workers) {
    w.unref();
    idle.push(w);
    w.on('message', (m: PoolReply) => {
      const job = running.get(w);
      if (!job || (m.type !== 'done' && m.type !== 'failed')) return;
      running.delete(w);
      w.unref();
      idle.push(w);
      if (m.type === 'done') job.resolve(m.outputs);
      else job.reject(new InferenceError(`The forward pass failed in a prediction worker: ${describe(m)}`));
      dispatch();
    });
    w.on('error', (err) => fail(new InferenceError(`A prediction worker crashed: ${err.message}`)));
    w.on('exit', (code) => {
      if (!closing) fail(new InferenceError(`A prediction worker exited (code ${code}) while predicting.`));
    });
  }

  const forward: ForwardFn = (feeds, want) =>
    new Promise<ForwardOutputs>((resolve, reject) => {
      if (broken) return reject(broken);
      queue.push({ id: nextId++, feeds, want, resolve, reject });
      dispatch();
    });

  const release = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    // Batches still pending (and any asked for later) fail with a reason instead of waiting forever.
    fail(new InferenceError('The prediction workers were released; load the model again to predict.'));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.ref(); // an idle worker is unref'd: the reply to 'close' must keep the process alive until it comes
            w.once('message', () => resolve());
            w.once('exit', () => resolve());
            w.postMessage({ type: 'close' } satisfies PoolRequest);
          }),
      ),
    );
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return { forward, workers: workers.length, release };
}

function describe(m: PoolReply): string {
  return m.type === 'failed' ? `${m.name}: ${m.message}` : `unexpected reply '${m.type}'`;
}
