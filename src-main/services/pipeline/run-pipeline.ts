import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { bioLabelList } from '../../data/align';
import { prepareExamples, type LabelledText } from '../../data/prepare';
import { silverLabeler } from '../../data/silver';
import { FREEZE_PRESETS, loadHfBertConfig } from '../../engine/model';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import type { TrainEvent, TrainResult } from '../../engine/trainer';
import { trainInWorker } from '../../engine/trainer';
import { parseInput } from '../api/errors';
import { classLabelSet, PipelineInputError, readLabelledFile } from './read';

export const pipelineOptionsSchema = z
  .object({
    train: z.string().min(1),
    dev: z.string().min(1),
    model: z.string().min(1),
    out: z.string().min(1),
    preset: z.enum(FREEZE_PRESETS).default('full'),
    freezeEmbeddings: z.boolean().default(false),
    freezeBottomLayers: z.number().int().min(0).default(0),
    nerTrain: z.string().optional(),
    nerDev: z.string().optional(),
    /** 'silver' labels the classification texts; 'none' trains classification only. Ignored with nerTrain. */
    ner: z.enum(['silver', 'none']).default('silver'),
    epochs: z.number().int().positive().default(2),
    maxSteps: z.number().int().nonnegative().default(0),
    batchSize: z.number().int().positive().default(32),
    /** Micro-batches per optimizer step (gradient accumulation). */
    gradAccumulation: z.number().int().positive().default(1),
    maxLength: z.number().int().min(8).max(512).default(128),
    lr: z.number().positive().default(5e-5),
    pooling: z.enum(['mean', 'cls', 'max']).default('mean'),
    device: z.enum(['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml']).default('auto'),
    threads: z.number().int().positive().optional(),
    limit: z.number().int().nonnegative().default(0),
    devLimit: z.number().int().nonnegative().default(0),
    seed: z.number().int().nonnegative().default(42),
    patience: z.number().int().nonnegative().default(0),
    evalEverySteps: z.number().int().nonnegative().default(0),
    resume: z.boolean().default(false),
    /** Seconds between mid-epoch resume/ writes (0: only at epoch ends and on stop). */
    checkpointEverySec: z.number().nonnegative().default(300),
    skipBadRows: z.boolean().default(false),
  })
  .strict();
export type PipelineOptions = z.output<typeof pipelineOptionsSchema>;
export type PipelineOptionsInput = z.input<typeof pipelineOptionsSchema>;

/**
 * Checks options that do not come from `mts pipeline`'s argument parser (scripts, tests) and fills in the
 * defaults; invalid_input lists each problem.
 */
export function pipelineOptions(input: PipelineOptionsInput): PipelineOptions {
  return parseInput(pipelineOptionsSchema, input, 'pipeline options');
}

export type PipelineEvent =
  | { readonly type: 'stage'; readonly stage: 'read' | 'label' | 'prepare' | 'train'; readonly message: string }
  | { readonly type: 'train'; readonly event: TrainEvent };

export interface PipelineResult {
  readonly outDir: string;
  readonly classLabels: readonly string[];
  readonly nerTypes: readonly string[];
  readonly data: {
    readonly train: number;
    readonly dev: number;
    readonly truncated: number;
    readonly silver?: {
      readonly labeler: string;
      readonly spans: number;
      readonly wordsPerSec: number;
      readonly perType: Readonly<Record<string, number>>;
    };
  };
  readonly train: TrainResult;
}

/** The seed's whole job: read data, make silver NER labels, train both heads, evaluate, write the run folder. */
export async function runPipeline(
  o: PipelineOptions,
  hooks: { onEvent?: (e: PipelineEvent) => void; signal?: AbortSignal } = {},
): Promise<PipelineResult> {
  const emit = (e: PipelineEvent): void => hooks.onEvent?.(e);
  loadHfBertConfig(o.model); // refuses a folder that is not BERT-like before any slow work
  const tokenizer = WordPieceTokenizer.fromDir(o.model);

  emit({ type: 'stage', stage: 'read', message: `reading ${o.train} and ${o.dev}` });
  const train = await readLabelledFile(o.train, { skipBadRows: o.skipBadRows, limit: o.limit });
  const dev = await readLabelledFile(o.dev, { skipBadRows: o.skipBadRows, limit: o.devLimit });
  const classLabels = classLabelSet(train.items, dev.items, o.train, o.dev);

  let nerTypes: string[] = [];
  let silver: PipelineResult['data']['silver'];
  let clsTrain: LabelledText[] = train.items;
  let clsDev: LabelledText[] = dev.items;
  let nerTrain: LabelledText[] = [];
  let nerDev: LabelledText[] = [];
  if (o.nerTrain) {
    if (!o.nerDev) throw new PipelineInputError('--ner-train needs --ner-dev (a gold NER dev file to evaluate on).');
    const nt = await readLabelledFile(o.nerTrain, { skipBadRows: o.skipBadRows, limit: o.limit });
    const nd = await readLabelledFile(o.nerDev, { skipBadRows: o.skipBadRows, limit: o.devLimit });
    nerTypes = [...new Set([...nt.report.entityTypes])].sort();
    nerTrain = nt.items.map(({ label: _ignored, ...rest }) => rest);
    nerDev = nd.items.map(({ label: _ignored, ...rest }) => rest);
  } else if (o.ner === 'silver') {
    const labeler = silverLabeler();
    emit({ type: 'stage', stage: 'label', message: `silver NER with ${labeler.id} (${labeler.types.join(', ')})` });
    const t0 = performance.now();
    let words = 0;
    const perType: Record<string, number> = {};
    const label = (items: readonly LabelledText[]): LabelledText[] =>
      items.map((e) => {
        words += e.text.split(/\s+/).length;
        const spans = labeler.label(e.text);
        for (const s of spans) perType[s.type] = (perType[s.type] ?? 0) + 1;
        return { ...e, spans };
      });
    clsTrain = label(train.items);
    clsDev = label(dev.items);
    const seconds = (performance.now() - t0) / 1000;
    nerTypes = [...labeler.types];
    silver = {
      labeler: labeler.id,
      spans: Object.values(perType).reduce((a, b) => a + b, 0),
      wordsPerSec: words / seconds,
      perType,
    };
  }

  emit({ type: 'stage', stage: 'prepare', message: 'tokenising and aligning labels' });
  const nerTags = nerTypes.length > 0 ? bioLabelList(nerTypes) : [];
  const prep = (
    items: LabelledText[],
    hasNer: boolean,
    labels: readonly string[],
  ): ReturnType<typeof prepareExamples> =>
    prepareExamples(items, tokenizer, { classLabels: labels, nerTags, maxLength: o.maxLength, hasNer });
  const silverNer = !o.nerTrain && nerTags.length > 0;
  const parts = [
    prep(clsTrain, silverNer, classLabels),
    prep(nerTrain, true, []),
    prep(clsDev, silverNer, classLabels),
    prep(nerDev, true, []),
  ];
  const trainExamples = [...parts[0]!.examples, ...parts[1]!.examples];
  const devExamples = [...parts[2]!.examples, ...parts[3]!.examples];
  const truncated = parts.reduce((s, p) => s + p.truncated, 0);

  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  emit({
    type: 'stage',
    stage: 'train',
    message: `training ${trainExamples.length} examples, evaluating on ${devExamples.length}`,
  });
  const result = await trainInWorker(
    {
      modelDir: o.model,
      train: trainExamples,
      dev: devExamples,
      classLabels,
      nerTags,
      config: {
        freeze: { preset: o.preset, freezeEmbeddings: o.freezeEmbeddings, freezeBottomLayers: o.freezeBottomLayers },
        pooling: o.pooling,
        epochs: o.epochs,
        maxSteps: o.maxSteps,
        batchSize: o.batchSize,
        gradAccumulation: o.gradAccumulation,
        maxLength: o.maxLength,
        lr: o.lr,
        seed: o.seed,
        patience: o.patience,
        evalEverySteps: o.evalEverySteps,
        device: o.device,
        ...(o.threads !== undefined && { threads: o.threads }),
      },
      outDir,
      resume: o.resume,
      checkpointEverySec: o.checkpointEverySec,
      provenance: { train: o.train, dev: o.dev, model: o.model, preset: o.preset },
    },
    { onEvent: (event) => emit({ type: 'train', event }), ...(hooks.signal && { signal: hooks.signal }) },
  );
  const summary: PipelineResult = {
    outDir,
    classLabels,
    nerTypes,
    data: { train: trainExamples.length, dev: devExamples.length, truncated, ...(silver && { silver }) },
    train: result,
  };
  writeFileSync(join(outDir, 'pipeline.json'), JSON.stringify({ options: o, ...summary, train: undefined }, null, 2));
  return summary;
}
