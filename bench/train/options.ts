/** What `bench:train`'s modules share: the parsed options, the paths it reads and small helpers. */
import { join } from 'node:path';
import type { EmbeddingUpdates, FreezePreset } from '../../src-main/engine/model';
import type { TrainerConfigInput } from '../../src-main/engine/trainer';

/** The command line of bench/train.bench.ts, parsed and checked (see its header for each flag). */
export interface TrainBenchOptions {
  readonly steps: number;
  readonly warmup: number;
  readonly perRound: number;
  readonly presets: readonly FreezePreset[];
  readonly threads: number;
  readonly batchSize: number;
  readonly maxLength: number;
  readonly torchAttn: string;
  readonly noTorch: boolean;
  readonly noSpeed: boolean;
  readonly noTorchClsOnly: boolean;
  readonly keep: string | undefined;
  /** `--record DIR`: quality sides saved as they finish and reused by a later run with the same key (record.ts). */
  readonly record: string | undefined;
  /** `--replay-steps K`: a record of our side made with other engine code is kept if K steps reproduce it (record.ts). */
  readonly replaySteps: number;
  readonly quality: boolean;
  readonly conll: boolean;
  /** `--end-to-end`: `mts pipeline` against the seed's PyTorch pipeline, wall clock (train/end-to-end.ts). */
  readonly endToEnd: boolean;
  /** `--all`: every measure issue 14 names, long ones included, and their `summary`. */
  readonly all: boolean;
  /** Whole heads-only runs: ours cached and uncached, PyTorch (frozen-epochs.ts). */
  readonly frozenEpochs: boolean;
  readonly epochs: number;
  readonly fraction: number;
  readonly limit: number;
  readonly devLimit: number;
  readonly seed: number;
  /** `--seeds 42,43,44`: quality parts once per seed, with mean and spread (empty: `--seed` alone). */
  readonly seeds: readonly number[];
  /** Every dropout rate, ours and PyTorch's (0 compares the math without random masks). */
  readonly dropout: number;
  /** The trainer's bucketBatches (1 = shuffled batches without length bucketing). */
  readonly bucketBatches: number;
  /** The trainer's nerBatching: NER-only batches cut by labelled tokens or by sentence count. */
  readonly nerBatching: 'tokens' | 'examples';
  /** The trainer's embeddingUpdates for our side (PyTorch's AdamW always updates every row). */
  readonly embeddingUpdates: EmbeddingUpdates;
  readonly json: boolean;
}

/** bench:train's defaults: its command line starts from these, and bench:profile reuses them. */
export const TRAIN_BENCH_DEFAULTS: TrainBenchOptions = {
  steps: 30,
  warmup: 3,
  perRound: 5,
  presets: ['full', 'heads-only'],
  threads: 2,
  batchSize: 32,
  maxLength: 128,
  torchAttn: 'eager',
  noTorch: false,
  noSpeed: false,
  noTorchClsOnly: false,
  keep: undefined,
  record: undefined,
  replaySteps: 0,
  quality: false,
  conll: false,
  endToEnd: false,
  all: false,
  frozenEpochs: false,
  epochs: 2,
  fraction: 1,
  limit: 0,
  devLimit: 0,
  seed: 42,
  seeds: [],
  dropout: 0.1,
  bucketBatches: 50,
  nerBatching: 'tokens',
  embeddingUpdates: 'dense',
  json: false,
};

/** The trainer config of a bench's whole `full` run (quality, lazy quality, students, multi-task), from its options. */
export function fullRunConfig(o: TrainBenchOptions): TrainerConfigInput {
  return {
    freeze: { preset: 'full' },
    epochs: o.epochs,
    batchSize: o.batchSize,
    maxLength: o.maxLength,
    seed: o.seed,
    threads: o.threads,
    device: 'cpu',
    dropout: { hidden: o.dropout, attention: o.dropout, head: o.dropout },
    bucketBatches: o.bucketBatches,
    nerBatching: o.nerBatching,
    embeddingUpdates: o.embeddingUpdates,
  };
}

export const ROOT = join(import.meta.dirname, '../..');
export const SHARED = join(ROOT, '../shared');
export const MODEL = join(SHARED, 'models/all-MiniLM-L6-v2');
export const PYTHON = join(ROOT, '.venv/bin/python');
export const TORCH_SCRIPT = join(ROOT, 'scripts/ref/train_torch_ref.py');
/** The entry point: speed.ts starts it again with `--serve-ort` as our step process. */
export const ENTRY = join(ROOT, 'bench/train.bench.ts');

export const log = (msg: string): void => void process.stderr.write(`[bench:train] ${msg}\n`);
export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
