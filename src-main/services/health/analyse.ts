// Dataset health end to end: embeddings once, then duplicates, leakage, label errors, balance and lengths.
import { z } from 'zod';
import {
  bestMatches,
  classBalance,
  defaultFolds,
  labelCheck,
  lengthOutliers,
  predictSoftmax,
  scanNeighbours,
  type LabelCheckResult,
  type Neighbours,
  type Vectors,
} from '../../data/health';
import { ServiceError } from '../api/errors';
import { openEncoder, type EncodedTexts } from './encoder';
import {
  devAccuracy,
  exactDuplicateFindings,
  exactLeakage,
  labelConflictFindings,
  labelErrorFindings,
  nearDuplicateFindings,
  round,
} from './findings';
import { nerCheck } from './ner-check';
import { ortProduct } from './product';
import type { DataRow } from './read';
import type { DevAccuracy, HealthReport, LabelCheckSummary, LeakageFinding, StageTimings } from './report';

/** Settings of the checks; defaults are the measured ones (bench/health.bench.ts). */
export const HealthSettings = z.object({
  /** Folds of the label check's cross-validation; absent: defaultFolds (10, down to 5 for small classes). */
  folds: z.int().min(2).max(20).optional(),
  /** Cosine similarity at or above which two texts are near duplicates. */
  nearThreshold: z.number().min(0.5).max(1).default(0.95),
  /** Tokens per text for the embeddings (64 keeps near-duplicate and label-check quality; see the bench). */
  maxLength: z.int().min(8).max(512).default(64),
  precision: z.enum(['fp32', 'int8']).default('int8'),
  seed: z.int().default(7),
  threads: z.int().positive().optional(),
});
export type HealthSettings = z.output<typeof HealthSettings>;

/** What to analyse: rows of train (and dev), and which encoder embeds them / which checkpoint predicts dev. */
export interface HealthInput {
  readonly train: { readonly path: string; readonly rows: readonly DataRow[]; readonly unreadableRows: number };
  readonly dev?: { readonly path: string; readonly rows: readonly DataRow[]; readonly unreadableRows: number };
  /** Folder whose encoder embeds the texts (a base model or a checkpoint). Without it only text checks run. */
  readonly encoderDir?: string;
  /** A checkpoint with a classification head whose dev predictions give the dev accuracy. */
  readonly classifierDir?: string;
}

/** Neighbours kept per row for the label check's leave-one-out kNN (knnProbs' default k). */
const KNN_NEIGHBOURS = 50;

export type HealthStage = 'embed' | 'duplicates' | 'leakage' | 'labels';

export interface HealthRuntime {
  readonly onEvent?: (e: { readonly stage: HealthStage; readonly done: number; readonly total: number }) => void;
  readonly signal?: AbortSignal;
}

/** Runs every check the input allows; the report's `skipped` says which did not run and why. */
export async function analyseHealth(
  input: HealthInput,
  settings: HealthSettings,
  rt: HealthRuntime = {},
  readSeconds = 0,
): Promise<HealthReport> {
  const t0 = performance.now();
  const train = input.train.rows;
  const dev = input.dev?.rows ?? [];
  const skipped: string[] = [];
  const exactDuplicates = exactDuplicateFindings(train);
  const leaks = exactLeakage(train, dev);
  const timing = { embed: 0, duplicates: 0, labels: 0 };

  let embedded: { train: EncodedTexts; dev: EncodedTexts | null } | null = null;
  if (input.encoderDir) {
    const t = performance.now();
    embedded = await embed(input.encoderDir, train, dev, settings, rt);
    timing.embed = seconds(t);
  } else {
    skipped.push(
      'Near duplicates, near leakage and label errors were not checked: they need an encoder; pass --model DIR (a BERT-family folder) or --run DIR.',
    );
  }
  checkAborted(rt.signal);

  let nearDuplicates: HealthReport['nearDuplicates'] = [];
  let neighbours: Neighbours | undefined;
  if (embedded) {
    const t = performance.now();
    const product = await ortProduct(embedded.train.vectors.dim, settings.threads);
    try {
      // One pass gives the near-duplicate pairs and each row's neighbours for the label check's kNN.
      const found = await scanNeighbours(embedded.train.vectors, product.product, {
        threshold: settings.nearThreshold,
        neighbours: KNN_NEIGHBOURS,
        onProgress: (done, total) => rt.onEvent?.({ stage: 'duplicates', done, total }),
      });
      neighbours = found.neighbours;
      if (found.truncated) {
        skipped.push(
          `Near duplicates were cut off after ${found.pairs.length} pairs: the threshold ${settings.nearThreshold} finds too many; raise it.`,
        );
      }
      nearDuplicates = nearDuplicateFindings(train, found.pairs);
      if (embedded.dev)
        await nearLeakage(
          embedded.train.vectors,
          embedded.dev.vectors,
          leaks,
          train,
          dev,
          settings,
          product.product,
          rt,
        );
    } finally {
      await product.release();
    }
    timing.duplicates = seconds(t);
  }
  checkAborted(rt.signal);

  let check: LabelCheckResult | null = null;
  const folds = settings.folds ?? defaultFolds(train.map((r) => r.label));
  if (embedded) {
    const t = performance.now();
    check = labelCheck(
      embedded.train.vectors,
      train.map((r) => r.label),
      {
        folds,
        seed: settings.seed,
        texts: train.map((r) => r.text),
        ...(neighbours && { neighbours }),
        onFold: (done, total) => rt.onEvent?.({ stage: 'labels', done, total }),
      },
    );
    if (check.kind === 'skipped') skipped.push(check.reason);
    timing.labels = seconds(t);
  }

  const leakage = [...leaks.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  const lengths = lengthOutliers(train.map((r) => r.text));
  const timings: StageTimings = {
    readSeconds: round(readSeconds),
    embedSeconds: round(timing.embed),
    duplicatesSeconds: round(timing.duplicates),
    labelCheckSeconds: round(timing.labels),
    totalSeconds: round(readSeconds + seconds(t0)),
  };
  let nerDisagreements: HealthReport['nerDisagreements'] = [];
  if (train.some((r) => r.spans !== undefined)) {
    if (input.classifierDir === undefined) {
      skipped.push(
        'NER spans were not checked against a model: pass --run DIR (a run with an entity head) to list the spans it confidently disagrees with.',
      );
    } else {
      const ner = await nerCheck(input.classifierDir, train, settings.threads);
      if ('skipped' in ner) skipped.push(ner.skipped);
      else nerDisagreements = ner.findings;
    }
  }
  return {
    data: { path: input.train.path, rows: train.length, unreadableRows: input.train.unreadableRows },
    dev: input.dev ? { path: input.dev.path, rows: dev.length, unreadableRows: input.dev.unreadableRows } : null,
    encoder: input.encoderDir
      ? { dir: input.encoderDir, maxLength: settings.maxLength, precision: settings.precision }
      : null,
    labelErrors: check?.kind === 'done' ? labelErrorFindings(train, check) : [],
    labelCheck: check?.kind === 'done' ? summary(check, folds) : null,
    exactDuplicates,
    nearDuplicates,
    nearDuplicateThreshold: settings.nearThreshold,
    labelConflicts: labelConflictFindings(exactDuplicates, nearDuplicates, train),
    leakage,
    devAccuracy: await devScore(input, embedded, check, dev, leaks, settings, skipped),
    nerDisagreements,
    classBalance: classBalance(train.map((r) => r.label)),
    lengthOutliers: lengths.outliers.map((o) => ({ line: train[o.row]!.row, words: o.words, kind: o.kind })),
    lengthStats: { median: lengths.median, lowFence: round(lengths.lowFence), highFence: round(lengths.highFence) },
    skipped,
    timings,
  };
}

async function embed(
  dir: string,
  train: readonly DataRow[],
  dev: readonly DataRow[],
  settings: HealthSettings,
  rt: HealthRuntime,
): Promise<{ train: EncodedTexts; dev: EncodedTexts | null }> {
  const encoder = await openEncoder(dir, {
    maxLength: settings.maxLength,
    precision: settings.precision,
    ...(settings.threads !== undefined && { threads: settings.threads }),
  });
  try {
    const total = train.length + dev.length;
    const progress = (offset: number) => (done: number) => {
      checkAborted(rt.signal);
      rt.onEvent?.({ stage: 'embed', done: offset + done, total });
    };
    const t = await encoder.encode(
      train.map((r) => r.text),
      progress(0),
    );
    const d =
      dev.length > 0
        ? await encoder.encode(
            dev.map((r) => r.text),
            progress(train.length),
          )
        : null;
    return { train: t, dev: d };
  } finally {
    await encoder.release();
  }
}

// Dev rows without an exact twin in train get their most similar train row, when it passes the threshold.
async function nearLeakage(
  trainVectors: Vectors,
  devVectors: Vectors,
  leaks: Map<number, LeakageFinding>,
  train: readonly DataRow[],
  dev: readonly DataRow[],
  settings: HealthSettings,
  product: Parameters<typeof bestMatches>[2],
  rt: HealthRuntime,
): Promise<void> {
  const matches = await bestMatches(devVectors, trainVectors, product, { threshold: settings.nearThreshold });
  matches.forEach((m, d) => {
    if (m === null || leaks.has(d)) return;
    leaks.set(d, { devLine: dev[d]!.row, trainLine: train[m.row]!.row, similarity: round(m.similarity), exact: false });
  });
  rt.onEvent?.({ stage: 'leakage', done: dev.length, total: dev.length });
}

// Dev accuracy from the run's classifier when one is given, else from the label check's own head.
async function devScore(
  input: HealthInput,
  embedded: { train: EncodedTexts; dev: EncodedTexts | null } | null,
  check: LabelCheckResult | null,
  dev: readonly DataRow[],
  leaks: ReadonlyMap<number, LeakageFinding>,
  settings: HealthSettings,
  skipped: string[],
): Promise<DevAccuracy | null> {
  if (dev.length === 0) return null;
  const leaked = new Set(leaks.keys());
  if (input.classifierDir) {
    const predicted = await classify(input.classifierDir, dev, settings);
    if (predicted) return devAccuracy(dev, predicted, leaked, 'run');
    skipped.push(
      `Dev accuracy from ${input.classifierDir} was not measured: that checkpoint has no classification head.`,
    );
  }
  if (check?.kind === 'done' && embedded?.dev) {
    const probs = predictSoftmax(
      check.model,
      embedded.dev.vectors,
      dev.map((_, i) => i),
    );
    const k = check.classes.length;
    const predicted = dev.map((_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
      return check.classes[best]!;
    });
    return devAccuracy(dev, predicted, leaked, 'probe');
  }
  return null;
}

// Predictions of a checkpoint on dev at its own training length in fp32, as `mts eval` scores it (the
// embedding pass may be shorter and int8).
async function classify(
  dir: string,
  dev: readonly DataRow[],
  settings: HealthSettings,
): Promise<readonly (string | null)[] | null> {
  const encoder = await openEncoder(dir, {
    precision: 'fp32',
    ...(settings.threads !== undefined && { threads: settings.threads }),
  });
  try {
    return encoder.classifies ? (await encoder.encode(dev.map((r) => r.text))).predicted : null;
  } finally {
    await encoder.release();
  }
}

function summary(check: Extract<LabelCheckResult, { kind: 'done' }>, folds: number): LabelCheckSummary {
  return {
    folds,
    classes: check.classes,
    thresholds: Object.fromEntries(check.classes.map((c, i) => [c, round(check.cl.thresholds[i]!)])),
    confidentJoint: check.cl.confidentJoint,
    crossValidatedAccuracy: round(check.crossValidatedAccuracy),
  };
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ServiceError('cancelled', 'The health check was cancelled.');
}
