// Worker-thread entry: runs one training job off the caller's event loop (ORT's session.run blocks the
// thread it runs on) and streams progress events back.
import { parentPort } from 'node:worker_threads';
import { loadTrainerModel } from './load-model';
import { parseTrainerConfig } from './config';
import { train } from './trainer';
import type { StartMessage, WorkerMessage } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('train-worker must run as a worker thread; use trainInWorker().');

port.once('message', (msg: StartMessage) => {
  const flag = new Int32Array(msg.cancelFlag);
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const { job } = msg;
  const run = async (): Promise<void> => {
    const cfg = parseTrainerConfig(job.config);
    const model = loadTrainerModel(job.modelDir, job.classLabels, job.nerTags, cfg.seed);
    const result = await train(
      model,
      { train: job.train, dev: job.dev, classLabels: job.classLabels, nerTags: job.nerTags },
      job.config,
      {
        outDir: job.outDir,
        resume: job.resume,
        signal: {
          get aborted() {
            return Atomics.load(flag, 0) === 1;
          },
        },
        onEvent: (event) => post({ type: 'event', event }),
        ...(job.provenance && { provenance: job.provenance }),
        ...(job.checkpointEverySec !== undefined && { checkpointEverySec: job.checkpointEverySec }),
        consumeModelWeights: true, // loaded just above for this run
      },
    );
    post({ type: 'done', result });
  };
  run().catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'failed', name: e.name, message: e.message });
  });
});
