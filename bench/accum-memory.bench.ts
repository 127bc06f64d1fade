/**
 * Peak memory and time of one optimizer step over 32 samples: a single graph at B32 against gradient
 * accumulation at B16 x 2 (and a single graph at B16 for reference). MiniLM shape (./minilm.ts, random weights),
 * full fine-tuning, dropout 0.1, CPU EP. Each case runs in its own process, so its peak RSS is its own.
 * Time is compared separately, in one process with alternating rounds (the load of a shared machine changes
 * between processes): add `time` as the fourth argument.
 * Run: npm run bench:accum -- [seq=64] [steps=3] [threads=2] [rss|time]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildModelAccumulationGraphs, buildModelTrainingGraph, newModelParams } from '../src-main/engine/model';
import { DEFAULT_ADAMW } from '../src-main/engine/optim';
import { AccumulatingSession, hostTensor, type HostTensor, TrainingSession } from '../src-main/engine/runtime';
import { MINILM_DIMS, MINILM_SPEC } from './minilm';

const SPEC = MINILM_SPEC;

interface Case {
  readonly name: string;
  readonly batch: number;
  readonly k: number;
}
const CASES: readonly Case[] = [
  { name: 'single B32', batch: 32, k: 1 },
  { name: 'accumulated B16 x 2', batch: 16, k: 2 },
  { name: 'single B16', batch: 16, k: 1 },
];

interface Measured {
  readonly name: string;
  readonly rssAfterLoadMiB: number;
  readonly peakRssMiB: number;
  /** Median over the timed steps, per optimizer step. */
  readonly msPerStep: number;
  readonly samplesPerStep: number;
}

function trainBatch(b: number, t: number, offset: number): Record<string, HostTensor> {
  return {
    input_ids: hostTensor(
      'int64',
      BigInt64Array.from({ length: b * t }, (_, i) => BigInt(1000 + (((i + offset) * 7919) % 20000))),
      [b, t],
    ),
    attention_mask: hostTensor('float32', new Float32Array(b * t).fill(1), [b, t]),
    class_labels: hostTensor(
      'int32',
      Int32Array.from({ length: b }, (_, i) => (i + offset) % SPEC.numClasses),
      [b],
    ),
    ner_labels: hostTensor(
      'int32',
      Int32Array.from({ length: b * t }, (_, i) => (i + offset) % SPEC.numNerLabels),
      [b, t],
    ),
  };
}

interface Opened {
  readonly step: () => Promise<unknown>;
  readonly release: () => Promise<void>;
}

async function open(c: Case, seq: number, threads: number): Promise<Opened> {
  const { params } = newModelParams({ kind: 'random', dims: MINILM_DIMS }, SPEC, 1);
  const init = {
    adamw: DEFAULT_ADAMW,
    schedule: { kind: 'constant' as const, lr: 1e-5 },
    params: new Map([...params].map(([n, t]) => [n, t.data])),
    seed: 1,
    threads,
  };
  const graph = { model: SPEC, freeze: { preset: 'full' as const }, clipNorm: 1 };
  if (c.k === 1) {
    const built = buildModelTrainingGraph(graph);
    const s = await TrainingSession.create({ bytes: built.bytes, layout: built.layout, ...init });
    const b = trainBatch(c.batch, seq, 0);
    return { step: () => s.trainStep(b), release: () => s.release() };
  }
  const built = buildModelAccumulationGraphs(graph);
  const s = await AccumulatingSession.create({
    gradientBytes: built.gradient.bytes,
    updateBytes: built.update.bytes,
    layout: built.layout,
    microBatches: c.k,
    ...init,
  });
  const micro = Array.from({ length: c.k }, (_, i) => trainBatch(c.batch, seq, i * c.batch));
  return { step: () => s.trainStep(micro), release: () => s.release() };
}

async function runCase(c: Case, seq: number, steps: number, threads: number): Promise<Measured> {
  const { step, release } = await open(c, seq, threads);
  const rssAfterLoadMiB = process.memoryUsage().rss / 2 ** 20;
  await step(); // warm-up: arena growth and kernel selection
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  await release();
  return {
    name: c.name,
    rssAfterLoadMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    msPerStep: times.sort((a, b) => a - b)[times.length >> 1]!,
    samplesPerStep: c.batch * c.k,
  };
}

/** Alternating rounds of one step per case in this process; medians per case and ratios to single B32. */
async function timeCases(seq: number, steps: number, threads: number): Promise<void> {
  const cases = CASES.slice(0, 2);
  const opened: Opened[] = [];
  for (const c of cases) opened.push(await open(c, seq, threads));
  for (const o of opened) await o.step(); // warm-up
  const times: number[][] = cases.map(() => []);
  for (let round = 0; round < steps; round++) {
    for (let i = 0; i < cases.length; i++) {
      const t0 = performance.now();
      await opened[i]!.step();
      times[i]!.push(performance.now() - t0);
    }
  }
  const med = times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]!);
  console.log(`MiniLM shape, full fine-tuning, T${seq}, ${threads} threads, ${steps} alternating rounds (median)`);
  cases.forEach((c, i) =>
    console.log(
      `${c.name.padEnd(22)} ${med[i]!.toFixed(0)} ms per 32 samples (${(med[i]! / med[0]!).toFixed(2)} x B32)`,
    ),
  );
  for (const o of opened) await o.release();
}

const [seq, steps, threads] = [
  Number(process.argv[2] ?? 64),
  Number(process.argv[3] ?? 3),
  Number(process.argv[4] ?? 2),
];
const child = process.env['MTS_ACCUM_BENCH_CASE'];
if (process.argv[5] === 'time') {
  await timeCases(seq, steps, threads);
} else if (child !== undefined) {
  const measured = await runCase(CASES[Number(child)]!, seq, steps, threads);
  console.log(JSON.stringify(measured));
} else {
  const results: Measured[] = [];
  for (let i = 0; i < CASES.length; i++) {
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
      {
        env: { ...process.env, MTS_ACCUM_BENCH_CASE: String(i) },
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    if (r.status !== 0) throw new Error(`case '${CASES[i]!.name}' failed (exit ${r.status}):\n${r.stderr}`);
    const line = r.stdout.trim().split('\n').at(-1)!;
    results.push(JSON.parse(line) as Measured);
  }
  const ref = results[0]!;
  console.log(`MiniLM shape, full fine-tuning, T${seq}, ${threads} threads, ${steps} timed steps (median), CPU EP`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(22)} peak RSS ${r.peakRssMiB.toFixed(0)} MiB (${(r.peakRssMiB / ref.peakRssMiB).toFixed(2)} x B32; after load ${r.rssAfterLoadMiB.toFixed(0)} MiB), ` +
        `${r.msPerStep.toFixed(0)} ms/step, ${((1000 * r.samplesPerStep) / r.msPerStep).toFixed(1)} samples/s (${((r.samplesPerStep / r.msPerStep) * (ref.msPerStep / ref.samplesPerStep)).toFixed(2)} x B32)`,
    );
  }
}
