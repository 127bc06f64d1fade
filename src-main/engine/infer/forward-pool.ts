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
  /** True once a worker crashed or exited: every forward rejects with that cause; release it, start another. */
  broken(): boolean;
  /** Closes every worker (at most CLOSE_WAIT_MS each); pending and later forwards reject. Same promise each call. */
  release(): Promise<void>;
}

/** How long release() waits for a worker to close its session before terminating it (a long batch runs on). */
export const CLOSE_WAIT_MS = 5_000;

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
  const script = o.script ?? forwardWorkerScript();
  const workers = Array.from({ length: o.workers }, () => new Worker(script));
  // No closure here holds `model`: the pool below keeps none of the serialised graph once the workers have it.
  await openWorkers(workers, { type: 'init', model, threads: o.threadsPerWorker ?? 1 });
  return runPool(workers);
}

/** Sends each worker the graph and waits for every 'ready'; on any failure terminates them all and throws. */
async function openWorkers(workers: readonly Worker[], init: PoolRequest): Promise<void> {
  const open = (w: Worker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const settle = (err?: Error): void => {
        w.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onMessage = (m: PoolReply): void =>
        settle(
          m.type === 'ready'
            ? undefined
            : new InferenceError(`A prediction worker could not open the model: ${describe(m)}`),
        );
      const onError = (err: Error): void =>
        settle(new InferenceError(`A prediction worker failed while opening the model: ${err.message}`));
      const onExit = (code: number): void =>
        settle(new InferenceError(`A prediction worker exited (code ${code}) while opening the model.`));
      w.on('message', onMessage).on('error', onError).on('exit', onExit);
      w.postMessage(init);
    });
  try {
    await Promise.all(workers.map(open));
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
}

/** The dispatching side of a pool whose workers have all opened their sessions. */
function runPool(workers: readonly Worker[]): ForwardPool {
  const idle: Worker[] = [];
  const queue: Job[] = [];
  const running = new Map<Worker, Job>();
  const exited = new Set<Worker>();
  let failure: Error | null = null;
  let crashed = false;
  let released: Promise<void> | null = null;
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
  const rejectAll = (err: Error): void => {
    failure ??= err;
    for (const job of [...running.values(), ...queue.splice(0)]) job.reject(failure);
    running.clear();
  };
  // A dead worker leaves the pool unusable: the others stop too, so none holds its model or the process.
  const crash = (err: Error): void => {
    if (released) return;
    crashed = true;
    rejectAll(err);
    for (const w of workers) if (!exited.has(w)) void w.terminate();
  };

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
    w.on('error', (err) => crash(new InferenceError(`A prediction worker crashed: ${err.message}`)));
    w.on('exit', (code) => {
      exited.add(w);
      crash(new InferenceError(`A prediction worker exited (code ${code}) while predicting.`));
    });
  }

  const forward: ForwardFn = (feeds, want) =>
    new Promise<ForwardOutputs>((resolve, reject) => {
      if (failure) return reject(failure);
      queue.push({ id: nextId++, feeds, want, resolve, reject });
      dispatch();
    });

  // Asks a live worker to close its session, then terminates it: after its 'closed', its exit, or CLOSE_WAIT_MS.
  const close = async (w: Worker): Promise<void> => {
    if (!exited.has(w)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          w.off('message', onMessage).off('exit', done);
          resolve();
        };
        const onMessage = (m: PoolReply): void => {
          if (m.type === 'closed') done();
        };
        const timer = setTimeout(done, CLOSE_WAIT_MS);
        w.ref(); // an idle worker is unref'd: the reply to 'close' must keep the process alive until it comes
        w.on('message', onMessage).once('exit', done);
        w.postMessage({ type: 'close' } satisfies PoolRequest);
      });
    }
    await w.terminate();
  };
  const release = (): Promise<void> => {
    released ??= (async () => {
      // Batches still pending (and any asked for later) fail with a reason instead of waiting forever.
      rejectAll(new InferenceError('The prediction workers were released; load the model again to predict.'));
      await Promise.all(workers.map(close));
    })();
    return released;
  };
  return { forward, workers: workers.length, broken: () => crashed, release };
}

function describe(m: PoolReply): string {
  return m.type === 'failed' ? `${m.name}: ${m.message}` : `unexpected reply '${m.type}'`;
}
