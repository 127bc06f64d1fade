/**
 * `npm run bench:profile -- --json`: where a full fine-tuning step of all-MiniLM-L6-v2 spends its time, ours
 * (ORT's profiler, CPU EP) against PyTorch eager (torch.profiler over scripts/ref/train_torch_ref.py's step),
 * on the same AG News batches bench:train measures (the trainer's length-bucketed plan, batch 32, mean padded
 * length ~55), grouped by op family (bench/profile/families.ts), each with its achieved fraction of the
 * roofline: GEMM families against the best fp32 GEMM rate ORT reaches on the encoder's shapes (roofline.ts),
 * the rest against a streaming Add's bytes per second (bandwidth.ts; ours only: torch's profiler gives no
 * bytes) and as the share of the step they take.
 *
 * Options: --warmup 2 --steps 4 --threads 2 --seed 42 --offset 3 (first batch: bench:train's first measured
 *          one) --no-torch --top 15 --json
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadHfBertConfig } from '../src-main/engine/model';
import { MINILM_SHAPE } from './minilm';
import { FAMILIES, FAMILY_NOTES, type Family, ortFamily, torchFamily } from './profile/families';
import { measureStreamGBs } from './profile/bandwidth';
import { type OrtProfile, profileOurs } from './profile/ort-side';
import { profileTorch, type TorchProfile } from './profile/torch-side';
import { measureGemmGflops } from './roofline';
import type { TrainBenchOptions } from './train/options';
import { MODEL, PYTHON, ROOT, round, TRAIN_BENCH_DEFAULTS } from './train/options';
import { prepareAgNews, trainerPlan, writeBatchFile } from './train/prepare';

const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '4' },
    offset: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
    top: { type: 'string', default: '15' },
    'no-torch': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const num = (name: 'warmup' | 'steps' | 'offset' | 'threads' | 'seed' | 'top'): number => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 0)
    throw new RangeError(`--${name} must be a whole number >= 0, got "${args[name]}".`);
  return v;
};

/** bench:train's defaults: the same data, batch plan and dropout. */
function trainOptions(threads: number, seed: number): TrainBenchOptions {
  return { ...TRAIN_BENCH_DEFAULTS, presets: ['full'], threads, seed, epochs: 1, noTorchClsOnly: true, json: true };
}

interface FamilyTime {
  us: number;
  flops: number;
  bytes: number;
}

const empty = (): Record<Family, FamilyTime> =>
  Object.fromEntries(FAMILIES.map((f) => [f, { us: 0, flops: 0, bytes: 0 }])) as Record<Family, FamilyTime>;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function ourFamilies(p: OrtProfile, steps: number): Record<Family, FamilyTime> {
  const out = empty();
  let kernelUs = 0;
  for (const n of p.nodes) {
    const f = out[ortFamily(n.name, n.op, n.rank)];
    f.us += n.us / steps;
    f.flops += n.flops / steps;
    f.bytes += n.bytes / steps;
    kernelUs += n.us / steps;
  }
  out.host.us += mean(p.hostMs) * 1000;
  out.other.us += Math.max(0, mean(p.runMs) * 1000 - kernelUs);
  return out;
}

function torchFamilies(p: TorchProfile, steps: number): Record<Family, FamilyTime> {
  const out = empty();
  for (const o of p.ops) {
    const f = out[torchFamily(o.phase, o.name)];
    f.us += o.selfUs / steps;
    f.flops += o.flops / steps;
  }
  return out;
}

const GEMM: ReadonlySet<Family> = new Set(['gemm.dense', 'gemm.attention']);

/** One side's numbers for one family: time, share, and its achieved fraction of the matching ceiling. */
function side(f: FamilyTime, totalUs: number, gemmGflops: number, streamGBs: number | null) {
  const s = f.us / 1e6;
  return {
    msPerStep: round(f.us / 1000, 2),
    share: round(f.us / totalUs, 3),
    ...(f.flops > 0 && { gflopPerStep: round(f.flops / 1e9, 2), gflops: round(f.flops / 1e9 / s, 1) }),
    ...(f.flops > 0 && { fractionOfGemmPeak: round(f.flops / 1e9 / s / gemmGflops, 3) }),
    ...(streamGBs !== null && f.bytes > 0 && s > 0 && { bandwidthFraction: round(f.bytes / 1e9 / s / streamGBs, 3) }),
  };
}

async function main(): Promise<void> {
  const [warmup, steps, offset, threads, seed] = [
    num('warmup'),
    num('steps'),
    num('offset'),
    num('threads'),
    num('seed'),
  ];
  if (!existsSync(MODEL))
    throw new Error(`${MODEL} is missing; bench:profile needs ../shared/models/all-MiniLM-L6-v2.`);
  const loadStart = loadavg()[0]!;
  const o = trainOptions(threads, seed);
  const data = await prepareAgNews((offset + warmup + steps) * o.batchSize, 64, o);
  const batches = trainerPlan(data.train, 0, o).slice(offset, offset + warmup + steps);
  const dir = mkdtempSync(join(tmpdir(), 'mts-bench-profile-'));
  try {
    const file = join(dir, 'batches.json');
    writeBatchFile(file, data, [batches], seed, o.dropout);
    const padded = batches.slice(warmup).map((b) => Math.max(...b.map((i) => data.train[i]!.ids.length)));
    const ours = await profileOurs(file, {
      warmup,
      steps,
      threads,
      seed,
      embeddingUpdates: o.embeddingUpdates,
      dir: join(dir, 'ort'),
    });
    const withTorch = !args['no-torch'] && existsSync(PYTHON);
    const torch = withTorch ? await profileTorch(PYTHON, ROOT, file, { warmup, steps, threads, seed }) : null;
    const dims = loadHfBertConfig(MODEL).dims;
    const meanPadded = mean(padded);
    const gemmGflops = await measureGemmGflops(dims, Math.round(o.batchSize * meanPadded), threads);
    const streamGBs = await measureStreamGBs(16 * 2 ** 20, threads);
    const oursF = ourFamilies(ours, steps);
    const torchF = torch ? torchFamilies(torch, steps) : null;
    const total = (f: Record<Family, FamilyTime>): number => FAMILIES.reduce((s, k) => s + f[k].us, 0);
    const [oursUs, torchUs] = [total(oursF), torchF ? total(torchF) : 0];
    const samples = batches.slice(warmup).reduce((s, b) => s + b.length, 0) / steps;
    const summary = (stepMs: readonly number[], f: Record<Family, FamilyTime>, profiledUs: number) => {
      const gemmFlops = [...GEMM].reduce((s, k) => s + f[k].flops, 0);
      return {
        msPerStep: round(mean(stepMs)),
        samplesPerSec: round((samples * 1000) / mean(stepMs), 2),
        profiledMsPerStep: round(profiledUs / 1000),
        gemmGflopPerStep: round(gemmFlops / 1e9, 2),
        // The whole step against the GEMM ceiling: 1 would be every GEMM at peak and nothing else.
        fractionOfRoofline: round(gemmFlops / 1e9 / gemmGflops / (mean(stepMs) / 1000), 3),
      };
    };
    const report = {
      bench: 'profile',
      model: `all-MiniLM-L6-v2 (${MINILM_SHAPE}) + mean-pool classification head + BIO token head, preset full`,
      setup: {
        data: `AG News train.csv with silver NER, trainer batch plan (seed ${seed}), batches ${offset + warmup}..${offset + warmup + steps - 1} measured after ${warmup} warm-up`,
        batch: o.batchSize,
        meanPaddedLength: round(meanPadded),
        paddedLengths: padded,
        threads,
        torch: torch ? `${torch.torch} eager (scripts/ref/profile_torch_train.py)` : 'skipped (no .venv or --no-torch)',
      },
      roofline: { gemmGflops: round(gemmGflops, 1), streamGBs: round(streamGBs, 1) },
      ours: { ...summary(ours.stepMs, oursF, oursUs), graphNodes: ours.graphNodes },
      torch:
        torch && torchF
          ? { ...summary(torch.stepMs, torchF, torchUs), profiledStepMs: torch.profiledStepMs.map((x) => round(x)) }
          : null,
      ratioSamplesPerSec: torch ? round(mean(torch.stepMs) / mean(ours.stepMs), 3) : null,
      families: FAMILIES.map((k) => ({
        family: k,
        what: FAMILY_NOTES[k],
        ours: side(oursF[k], oursUs, gemmGflops, GEMM.has(k) ? null : streamGBs),
        torch: torchF ? side(torchF[k], torchUs, gemmGflops, null) : null,
        oursMinusTorchMs: torchF ? round((oursF[k].us - torchF[k].us) / 1000, 1) : null,
      })),
      topNodes: [...ours.nodes]
        .sort((a, b) => b.us - a.us)
        .slice(0, num('top'))
        .map((n) => ({
          name: n.name,
          op: n.op,
          family: ortFamily(n.name, n.op, n.rank),
          msPerStep: round(n.us / steps / 1000, 2),
        })),
      topTorchOps: torch
        ? [...torch.ops]
            .sort((a, b) => b.selfUs - a.selfUs)
            .slice(0, num('top'))
            .map((t) => ({
              ...t,
              selfUs: undefined,
              msPerStep: round(t.selfUs / steps / 1000, 2),
              family: torchFamily(t.phase, t.name),
            }))
        : null,
      loadAverage1m: { start: round(loadStart, 2), end: round(loadavg()[0]!, 2) },
    };
    console.log(args.json ? JSON.stringify(report, null, 2) : text(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A table for people; --json prints everything. */
function text(r: {
  families: readonly { family: string; ours: { msPerStep: number }; torch: { msPerStep: number } | null }[];
  ours: { msPerStep: number; fractionOfRoofline: number };
  torch: { msPerStep: number; fractionOfRoofline: number } | null;
}): string {
  const rows = r.families.map(
    (f) =>
      `${f.family.padEnd(20)} ${String(f.ours.msPerStep).padStart(9)} ${String(f.torch?.msPerStep ?? '-').padStart(9)}`,
  );
  return [
    `${'family'.padEnd(20)} ${'ours ms'.padStart(9)} ${'torch ms'.padStart(9)}`,
    ...rows,
    `step ms: ours ${r.ours.msPerStep} (${r.ours.fractionOfRoofline} of roofline), torch ${r.torch?.msPerStep ?? '-'} (${r.torch?.fractionOfRoofline ?? '-'})`,
    '(run with --json for GFLOP/s, bandwidth fractions and the top nodes)',
  ].join('\n');
}

await main();
