/**
 * Step cost by freeze preset, as ratios to a forward pass measured in the same run (timings on a shared
 * machine are noisy; ratios hold). MiniLM shape (./minilm.ts, random weights), B32 x T64, CPU EP.
 * Run: npm run bench:presets -- [batch] [seq] [repeats]
 */
import {
  buildModelEvalGraph,
  buildModelTrainingGraph,
  type FreezeConfig,
  newModelParams,
} from '../src-main/engine/model';
import { createSession, hostTensor, type HostTensor, TrainingSession } from '../src-main/engine/runtime';
import { MINILM_DIMS, MINILM_SPEC } from './minilm';

const [B, T, REPEATS] = [Number(process.argv[2] ?? 32), Number(process.argv[3] ?? 64), Number(process.argv[4] ?? 3)];
const spec = MINILM_SPEC;
const { params } = newModelParams({ kind: 'random', dims: MINILM_DIMS }, spec, 1);
const ids = BigInt64Array.from({ length: B * T }, (_, i) => BigInt(1000 + ((i * 7919) % 20000)));
const mask = new Float32Array(B * T).fill(1);
const batch: Record<string, HostTensor> = {
  input_ids: hostTensor('int64', ids, [B, T]),
  attention_mask: hostTensor('float32', mask, [B, T]),
};

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: first run includes allocation and kernel selection
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

const evalGraph = buildModelEvalGraph(spec);
const evalSession = await createSession(evalGraph.bytes, { threads: 2 });
const evalFeeds: Record<string, HostTensor> = { ...batch };
for (const [name, t] of params) evalFeeds[name] = hostTensor('float32', t.data, t.shape);
const forwardMs = await median(() => evalSession.run(evalFeeds));
await evalSession.release();
console.log(`forward (eval graph) B${B}xT${T}: ${forwardMs.toFixed(0)} ms = 1.00`);

const presets: FreezeConfig[] = [
  { preset: 'heads-only' },
  { preset: 'full', freezeEmbeddings: true, freezeBottomLayers: 3 },
  { preset: 'full', freezeEmbeddings: true },
  { preset: 'full' },
];
const trainBatch: Record<string, HostTensor> = {
  ...batch,
  class_labels: hostTensor(
    'int32',
    Int32Array.from({ length: B }, (_, i) => i % spec.numClasses),
    [B],
  ),
  ner_labels: hostTensor(
    'int32',
    Int32Array.from({ length: B * T }, (_, i) => i % spec.numNerLabels),
    [B, T],
  ),
};
for (const freeze of presets) {
  const built = buildModelTrainingGraph({ model: spec, freeze, clipNorm: 1 });
  const session = await TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 1e-5 },
    params: new Map([...params].map(([n, t]) => [n, t.data])),
    seed: 1,
    threads: 2,
  });
  const ms = await median(() => session.trainStep(trainBatch));
  await session.release();
  const trainable = (built.partition.trainableCount / 1e6).toFixed(2);
  console.log(
    `train step ${JSON.stringify(freeze)} (${trainable}M trainable): ${ms.toFixed(0)} ms = ${(ms / forwardMs).toFixed(2)} x forward`,
  );
}
