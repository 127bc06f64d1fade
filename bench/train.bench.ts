/**
 * `npm run bench:train -- --json`: fine-tuning all-MiniLM-L6-v2 on AG News with silver NER (multi-task),
 * batch 32, max length 128, CPU EP, 2 threads, against PyTorch 2.13 eager (scripts/ref/train_torch_ref.py)
 * on the SAME batches, which this file writes to a temp JSON file that both sides read.
 *
 * Speed (default; train/speed.ts): for each preset (full, heads-only) our steps run in a child process
 * (`--serve-ort`, train/serve-ort.ts: the trainer's own step path, trainingFeeds + TrainingSession.trainStep)
 * and PyTorch's in another; rounds of `--per-round` steps alternate between them, so both see the same
 * machine load. Samples/s = samples / time over the measured batches; peak RSS = VmHWM of each step process.
 * Quality (opt-in, long; train/quality.ts): `--quality` trains `full` for `--epochs` through the real trainer
 * (train()) and PyTorch on the trainer's own batch plan, multi-task and classification-only; `--conll` NER on
 * CoNLL-2003. `--fraction F` / `--limit N` train on a seeded sample (the JSON says which variant ran).
 * `--lazy-quality` (train/lazy-quality.ts) trains `full` on AG News twice through the trainer, lazy and dense
 * word-embedding updates, and prints `lazyQuality.lazyEmbeddingQualityDelta` (dev accuracy points).
 * Frozen epochs (opt-in, long; train/frozen-epochs.ts): `--frozen-epochs` times whole heads-only runs of
 * `--epochs` on AG News: ours with the feature cache, ours without, PyTorch heads-only (frozenEpochRatio).
 * `--multitask-free K` (train/multitask-free.ts): K seeds (K:cls-only,fixed,... for some variants) of
 * classification-only vs silver multi-task with fixed weights, learned (uncertainty) weights,
 * confidence-filtered silver labels and a halved NER loss weight, ours only, on the same sample, recorded
 * with --record like the quality runs (cls-only and fixed are those runs); field multitaskFree.multitaskCostPoints.
 * Data, batch plan and the shared batch file: train/prepare.ts.
 *
 * Options: --steps 30 --warmup 3 --per-round 5 --presets full,heads-only --threads 2 --batch 32
 *          --max-length 128 --torch-attn eager|sdpa --no-torch --no-speed --quality --conll --lazy-quality
 *          --frozen-epochs --epochs 2
 *          --fraction 1 --limit 0 --dev-limit 0 --seed 42 --dropout 0.1 --bucket-batches 50 --ner-batching tokens --json --no-torch-cls-only --keep DIR --help
 *          --embedding-updates dense|lazy (ours, speed and quality parts; PyTorch always updates every row)
 *          --seeds 42,43,44 (quality parts once per seed, with mean and spread)
 *          --record DIR (--quality/--conll/--lazy-quality/--multitask-free: each finished side and seed saved to DIR and reused by the same
 *          command run again, keyed by data, plan, config and that side's code: a measurement longer than one
 *          sitting resumes; the report's `records` says how each side was obtained)
 *          --replay-steps K (with --record: keep a record of our side made with other engine code when K steps of
 *          the current trainer reproduce its first K losses exactly and the scoring code is unchanged)
 *          --end-to-end (mts pipeline vs the seed's PyTorch pipeline, wall clock; needs `npm run build`)
 *          --all (every issue-14 measure, long ones included) -> `summary` {fullRatio, frozenEpochRatio, ...}
 *          --multitask-free 0
 *          --student conll,agnews --student-weighting plain,unsure,confidence (silver-only students vs their labeler
 *          on gold CoNLL valid PER/LOC/ORG: train/student.ts) --student-self-train N (through mts pipeline's rounds)
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EmbeddingUpdates, FreezePreset } from '../src-main/engine/model';
import { MODEL, PYTHON, round, SHARED, TRAIN_BENCH_DEFAULTS as D, type TrainBenchOptions } from './train/options';
import { runLazyQuality } from './train/lazy-quality';
import { runFrozenEpochs } from './train/frozen-epochs';
import { multitaskFreeSpec, runMultitaskFree } from './train/multitask-free';
import { runConll, runQuality } from './train/quality';
import { runEndToEnd } from './train/end-to-end';
import { runStudentSeeds, studentSources, studentWeightings } from './train/student';
import { summarize, TARGETS } from './train/summary';
import { recordUses } from './train/record';
import { serveOrt } from './train/serve-ort';
import { runSpeed, type SideSpeed } from './train/speed';
import { MINILM_SHAPE } from './minilm';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: String(D.steps) },
    warmup: { type: 'string', default: String(D.warmup) },
    'per-round': { type: 'string', default: String(D.perRound) },
    presets: { type: 'string', default: D.presets.join(',') },
    threads: { type: 'string', default: String(D.threads) },
    batch: { type: 'string', default: String(D.batchSize) },
    'max-length': { type: 'string', default: String(D.maxLength) },
    'torch-attn': { type: 'string', default: D.torchAttn },
    'no-torch': { type: 'boolean', default: false },
    'no-speed': { type: 'boolean', default: false },
    // The targets compare ours multi-task with PyTorch and with our own classification-only run, so
    // PyTorch's classification-only run is informative but optional (it costs a full training run).
    'no-torch-cls-only': { type: 'boolean', default: false },
    // Copy the quality runs' folders (checkpoints, metrics) here before the temp folder is removed.
    keep: { type: 'string' },
    record: { type: 'string' },
    'replay-steps': { type: 'string', default: String(D.replaySteps) },
    quality: { type: 'boolean', default: false },
    conll: { type: 'boolean', default: false },
    'end-to-end': { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    'lazy-quality': { type: 'boolean', default: false },
    'frozen-epochs': { type: 'boolean', default: false },
    // K seeds of classification-only vs silver multi-task (fixed, uncertainty, confidence): train/multitask-free.ts.
    'multitask-free': { type: 'string', default: '0' },
    // Silver-only students against their labeler on gold CoNLL valid: train/student.ts.
    student: { type: 'string', default: '' },
    'student-weighting': { type: 'string', default: 'plain' },
    'student-self-train': { type: 'string', default: '0' },
    epochs: { type: 'string', default: String(D.epochs) },
    fraction: { type: 'string', default: String(D.fraction) },
    limit: { type: 'string', default: String(D.limit) },
    'dev-limit': { type: 'string', default: String(D.devLimit) },
    seed: { type: 'string', default: String(D.seed) },
    seeds: { type: 'string', default: D.seeds.join(',') },
    dropout: { type: 'string', default: String(D.dropout) },
    'bucket-batches': { type: 'string', default: String(D.bucketBatches) },
    'ner-batching': { type: 'string', default: D.nerBatching },
    'embedding-updates': { type: 'string', default: D.embeddingUpdates },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
    'serve-ort': { type: 'string' },
    preset: { type: 'string', default: 'full' },
  },
});
const num = (name: keyof typeof args): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0)
    throw new RangeError(`--${name} must be a non-negative number, got "${String(args[name])}".`);
  return v;
};

function nerBatching(v: string): 'tokens' | 'examples' {
  if (v === 'tokens' || v === 'examples') return v;
  throw new RangeError(`--ner-batching must be tokens or examples, got "${v}".`);
}

function embeddingUpdates(v: string): EmbeddingUpdates {
  if (v === 'lazy' || v === 'dense') return v;
  throw new RangeError(`--embedding-updates must be lazy or dense, got "${v}".`);
}

function seedList(v: string): number[] {
  if (v === '') return [];
  const seeds = v.split(',').map(Number);
  if (seeds.some((x) => !Number.isSafeInteger(x) || x < 0))
    throw new RangeError(`--seeds must be comma-separated non-negative integers, e.g. 42,43,44; got "${v}".`);
  return seeds;
}

function options(): TrainBenchOptions {
  return {
    steps: num('steps'),
    warmup: num('warmup'),
    perRound: num('per-round'),
    presets: String(args.presets).split(',') as FreezePreset[],
    threads: num('threads'),
    batchSize: num('batch'),
    maxLength: num('max-length'),
    torchAttn: String(args['torch-attn']),
    noTorch: args['no-torch'],
    noSpeed: args['no-speed'],
    noTorchClsOnly: args['no-torch-cls-only'],
    keep: args.keep,
    record: args.record,
    replaySteps: num('replay-steps'),
    quality: args.quality,
    conll: args.conll,
    endToEnd: args['end-to-end'] || args.all,
    all: args.all,
    frozenEpochs: args['frozen-epochs'],
    epochs: num('epochs'),
    fraction: num('fraction'),
    limit: num('limit'),
    devLimit: num('dev-limit'),
    seed: num('seed'),
    seeds: seedList(String(args.seeds)),
    dropout: num('dropout'),
    bucketBatches: num('bucket-batches'),
    nerBatching: nerBatching(String(args['ner-batching'])),
    embeddingUpdates: embeddingUpdates(String(args['embedding-updates'])),
    json: args.json,
  };
}

async function main(o: TrainBenchOptions): Promise<void> {
  for (const need of [MODEL, join(SHARED, 'data/ag_news/train.csv')]) {
    if (!existsSync(need))
      throw new Error(
        `${need} is missing; bench:train needs ../shared (models/all-MiniLM-L6-v2, data/ag_news, data/conll2003).`,
      );
  }
  const withTorch = !o.noTorch && existsSync(PYTHON);
  const dir = mkdtempSync(join(tmpdir(), 'mts-bench-train-'));
  const load = loadavg()[0]!;
  const report: Record<string, unknown> = {
    bench: 'train',
    model: `all-MiniLM-L6-v2 (${MINILM_SHAPE}) + mean-pool classification head + BIO token head`,
    setup: {
      batch: o.batchSize,
      maxLength: o.maxLength,
      threads: o.threads,
      device: 'cpu',
      torchAttention: o.torchAttn,
      torch: withTorch ? 'scripts/ref/train_torch_ref.py' : 'skipped (no .venv or --no-torch)',
      cpus: cpus().length,
      seed: o.seed,
      embeddingUpdates: `${o.embeddingUpdates} (PyTorch: dense)`,
    },
    targets: TARGETS,
  };
  try {
    if (!o.noSpeed) report['speed'] = await runSpeed(o, dir, withTorch);
    if (o.quality) report['quality'] = await runQuality(o, dir, withTorch);
    if (o.conll) report['conll'] = await runConll(o, dir, withTorch);
    if (o.frozenEpochs) report['frozenEpochs'] = await runFrozenEpochs(o, dir, withTorch);
    if (args['lazy-quality'] || o.all) report['lazyQuality'] = await runLazyQuality(o, dir);
    if (o.endToEnd) report['endToEnd'] = await runEndToEnd(o, dir, withTorch);
    const mtl = multitaskFreeSpec(String(args['multitask-free']));
    if (mtl.seeds > 0) report['multitaskFree'] = await runMultitaskFree(o, dir, mtl.seeds, mtl.variants);
    const students = studentSources(String(args.student));
    if (students.length > 0)
      report['student'] = await runStudentSeeds(
        o,
        dir,
        students,
        studentWeightings(String(args['student-weighting'])),
        num('student-self-train'),
      );
  } finally {
    if (o.keep) cpSync(dir, o.keep, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
  }
  report['summary'] = summarize(report);
  // Which results came from --record and how (reused, upgraded, replayed): a reader can tell what ran today.
  if (o.record) report['records'] = recordUses();
  report['loadAverage1m'] = { start: round(load, 2), end: round(loadavg()[0]!, 2) };
  console.log(o.json ? JSON.stringify(report, null, 2) : summary(report));
}

/** A few lines for people; --json prints everything. */
function summary(report: Record<string, unknown>): string {
  const speedOut = (report['speed'] ?? {}) as Record<
    string,
    {
      ratioSamplesPerSec?: number | null;
      rssRatioOursOverTorch?: number | null;
      ours?: SideSpeed;
      torch?: SideSpeed | string;
    }
  >;
  const lines = Object.entries(speedOut)
    .filter(([, v]) => typeof v === 'object' && v !== null && 'ours' in v)
    .map(
      ([k, v]) =>
        `${k}: ours ${v.ours?.samplesPerSec} samples/s, torch ${typeof v.torch === 'string' ? v.torch : v.torch?.samplesPerSec}; ratio ${v.ratioSamplesPerSec ?? '-'}x; RSS ours/torch ${v.rssRatioOursOverTorch ?? '-'}`,
    );
  return [...lines, '(run with --json for everything, including quality results)'].join('\n');
}

/** `--help`: this file's header comment. */
function usage(): string {
  const text = readFileSync(import.meta.filename, 'utf8');
  return text
    .slice(text.indexOf('/**') + 3, text.indexOf('*/'))
    .split('\n')
    .map((l) => l.replace(/^ \* ?/, ''))
    .join('\n')
    .trim();
}

if (args.help) console.log(usage());
else if (args['serve-ort'] !== undefined) await serveOrt(args['serve-ort'], args.preset as FreezePreset, options());
else await main(options());
