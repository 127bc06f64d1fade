// Worker-thread entry of a forward pool: one ORT session of the inference graph per worker. A session's run
// blocks the thread it runs on, so batches only run side by side on separate threads; each worker runs its
// batches with few intra-op threads, which skips their per-operator synchronisation.
import { parentPort } from 'node:worker_threads';
import { createSession, type Session } from '../runtime';
import type { PoolReply, PoolRequest } from './forward-pool-protocol';
import type { ForwardFn } from './ports';
import { sessionForward } from './runner';

const port = parentPort;
if (!port) throw new Error('forward-worker must run as a worker thread; use createForwardPool().');

let session: Session | undefined;
let forward: ForwardFn | undefined;
const post = (m: PoolReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const failure = (id: number, err: unknown): PoolReply => {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'failed', id, name: e.name, message: e.message };
};

port.on('message', (m: PoolRequest) => {
  void handle(m);
});

async function handle(m: PoolRequest): Promise<void> {
  if (m.type === 'init') {
    try {
      session = await createSession(m.model, { device: 'cpu', threads: m.threads });
      forward = sessionForward(session);
      post({ type: 'ready' });
    } catch (err) {
      post(failure(-1, err));
    }
    return;
  }
  if (m.type === 'close') {
    await session?.release();
    post({ type: 'closed' });
    return;
  }
  try {
    const outputs = await forward!(m.feeds, m.want);
    // Logits that own their whole buffer move to the caller without a copy; views are copied.
    const transfer = [
      ...new Set(
        Object.values(outputs)
          .filter((a: Float32Array) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)
          .map((a: Float32Array) => a.buffer as ArrayBuffer),
      ),
    ];
    post({ type: 'done', id: m.id, outputs }, transfer);
  } catch (err) {
    post(failure(m.id, err));
  }
}
