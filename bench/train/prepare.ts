/**
 * bench:train's data: AG News with silver NER or CoNLL-2003, tokenised like runPipeline, the trainer's own
 * batch plan, and the batch file both step processes (ours and PyTorch) read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bioLabelList } from '../../src-main/data/align';
import { prepareExamples, type LabelledText } from '../../src-main/data/prepare';
import { silverLabeler, type SilverWeighting, silverWeightRanges } from '../../src-main/data/silver';
import { initHeads, loadHfBertConfig } from '../../src-main/engine/model';
import { WordPieceTokenizer } from '../../src-main/engine/tokenizer';
import { parseTrainerConfig, planTrainingEpoch, type TrainExample } from '../../src-main/engine/trainer';
import { classLabelSet, readLabelledFile } from '../../src-main/services/pipeline';
import { log, MODEL, round, SHARED, type TrainBenchOptions } from './options';

/** Tokenised data of one benchmark task plus its label names. */
export interface Prepared {
  readonly train: TrainExample[];
  readonly dev: TrainExample[];
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
}

/** The file both step processes read: model, initial heads, examples and the batch plan per epoch. */
export interface BatchFile {
  readonly model: string;
  readonly numClasses: number;
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
  readonly padId: number;
  readonly heads: Record<string, { readonly shape: readonly number[]; readonly data: number[] }>;
  readonly train: readonly {
    readonly ids: readonly number[];
    readonly cls: number;
    readonly ner: readonly number[] | null;
  }[];
  readonly dev: BatchFile['train'];
  readonly epochs: readonly (readonly (readonly number[])[])[];
  readonly recipe: {
    readonly lr: number;
    readonly weightDecay: number;
    readonly clip: number;
    readonly warmupRatio: number;
    /** Every dropout rate on both sides (encoder hidden, attention, heads). */
    readonly dropout: number;
  };
}

/**
 * AG News (train sample of `limit`, 0 = all) with silver NER labels, tokenised like runPipeline. With
 * `weighting`, train examples also carry the labeler's confidence as NER token weights (dev is never weighted).
 */
export async function prepareAgNews(
  limit: number,
  devLimit: number,
  o: TrainBenchOptions,
  weighting?: SilverWeighting,
): Promise<Prepared> {
  const tokenizer = WordPieceTokenizer.fromDir(MODEL);
  const trainPath = join(SHARED, 'data/ag_news/train.csv');
  const devPath = join(SHARED, 'data/ag_news/dev.csv');
  const tr = await readLabelledFile(trainPath, { limit });
  const dv = await readLabelledFile(devPath, { limit: devLimit });
  const classLabels = classLabelSet(tr.items, dv.items, trainPath, devPath);
  const labeler = silverLabeler();
  const t0 = performance.now();
  const label = (items: readonly LabelledText[], w: SilverWeighting | undefined): LabelledText[] =>
    items.map((e) => {
      const out = labeler.explain(e.text);
      const ranges = w ? silverWeightRanges(out, w) : [];
      return { ...e, spans: out.spans, ...(ranges.length > 0 && { nerWeights: ranges }) };
    });
  const [train, dev] = [label(tr.items, weighting), label(dv.items, undefined)];
  log(
    `silver-labelled ${train.length + dev.length} AG News texts in ${round((performance.now() - t0) / 1000)} s (${labeler.id})`,
  );
  const nerTags = bioLabelList(labeler.types);
  const prep = (items: LabelledText[]): TrainExample[] =>
    prepareExamples(items, tokenizer, { classLabels, nerTags, maxLength: o.maxLength, hasNer: true }).examples;
  return { train: prep(train), dev: prep(dev), classLabels, nerTags };
}

/** CoNLL-2003 train -> valid, NER only (gold tags), tokenised like runPipeline's --ner-train. */
export async function prepareConll(limit: number, devLimit: number, o: TrainBenchOptions): Promise<Prepared> {
  const tokenizer = WordPieceTokenizer.fromDir(MODEL);
  const tr = await readLabelledFile(join(SHARED, 'data/conll2003/train.txt'), { limit });
  const dv = await readLabelledFile(join(SHARED, 'data/conll2003/valid.txt'), { limit: devLimit });
  const nerTags = bioLabelList([...new Set(tr.report.entityTypes)].sort());
  const prep = (items: LabelledText[]): TrainExample[] =>
    prepareExamples(
      items.map(({ label: _none, ...rest }) => rest),
      tokenizer,
      { classLabels: [], nerTags, maxLength: o.maxLength, hasNer: true },
    ).examples;
  return { train: prep(tr.items), dev: prep(dv.items), classLabels: [], nerTags };
}

/** The same data without NER labels (the classification-only run). */
export function classificationOnly(p: Prepared): Prepared {
  const strip = (xs: readonly TrainExample[]): TrainExample[] =>
    xs.map((e) => ({ ids: e.ids, classLabel: e.classLabel }));
  return { train: strip(p.train), dev: strip(p.dev), classLabels: p.classLabels, nerTags: [] };
}

/** The trainer's own batch plan for one epoch (default proportional task sampling), as example indices. */
export function trainerPlan(examples: readonly TrainExample[], epoch: number, o: TrainBenchOptions): number[][] {
  return planTrainingEpoch(
    examples,
    {
      batchSize: o.batchSize,
      bucketBatches: o.bucketBatches,
      nerBatching: o.nerBatching,
      seed: o.seed,
      taskSampling: { kind: 'proportional' },
    },
    epoch,
  );
}

export function writeBatchFile(
  path: string,
  p: Prepared,
  epochs: readonly (readonly (readonly number[])[])[],
  seed: number,
  dropout: number,
  /** Peak learning rate of both sides (default: the trainer's, 5e-5). */
  lr?: number,
): void {
  const cfg = parseTrainerConfig({ freeze: { preset: 'full' }, ...(lr !== undefined && { lr }) });
  const heads = initHeads(loadHfBertConfig(MODEL).dims.hiddenSize, p.classLabels.length, p.nerTags.length, seed);
  const ex = (e: TrainExample): BatchFile['train'][number] => ({
    ids: e.ids,
    cls: e.classLabel,
    ner: e.nerLabels ?? null,
  });
  const file: BatchFile = {
    model: MODEL,
    numClasses: p.classLabels.length,
    classLabels: p.classLabels,
    nerTags: p.nerTags,
    padId: WordPieceTokenizer.fromDir(MODEL).padId,
    heads: Object.fromEntries([...heads].map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data) }])),
    train: p.train.map(ex),
    dev: p.dev.map(ex),
    epochs,
    recipe: {
      lr: cfg.lr,
      weightDecay: cfg.weightDecay,
      clip: cfg.clipNorm ?? 0,
      warmupRatio: cfg.warmupRatio,
      dropout,
    },
  };
  writeFileSync(path, JSON.stringify(file));
}

/** Training examples to sample for `--limit` / `--fraction` out of `total` (0 = all). */
export function sampleSize(total: number, o: TrainBenchOptions): number {
  if (o.fraction <= 0 || o.fraction > 1) throw new RangeError(`--fraction must be in (0, 1], got ${o.fraction}.`);
  return o.limit > 0 ? o.limit : o.fraction < 1 ? Math.round(total * o.fraction) : 0;
}
