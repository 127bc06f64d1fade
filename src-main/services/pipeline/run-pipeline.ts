import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { bioLabelList } from '../../data/align';
import { FREEZE_PRESETS, loadHfBertConfig } from '../../engine/model';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import type { Advice, AdvisorStep, TrainEvent, TrainResult } from '../../engine/trainer';
import { adviseRun, advisorEval, trainInWorker } from '../../engine/trainer';
import { parseInput } from '../api/errors';
import { prepareTasks, readTasks, type SilverStats, type TaskData } from './tasks';

export const pipelineOptionsSchema = z
  .object({
    /** Labelled texts (label,text) and/or NER-tagged texts (CoNLL, span JSONL); optional with nerTrain. */
    train: z.string().min(1).optional(),
    dev: z.string().min(1).optional(),
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
    /** NER-only batches cut by labelled tokens (default) or by sentence count; see TrainerConfig.nerBatching. */
    nerBatching: z.enum(['tokens', 'examples']).default('examples'),
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
    /** Where each task's labels came from (a gold file, or the silver labeler over which texts). */
    readonly labelSources: TaskData['sources'];
    readonly silver?: SilverStats;
  };
  readonly train: TrainResult;
  /** What the training advisor reads from the run's curves (which head lags, over-fitting, what to try). */
  readonly advice: readonly Advice[];
}

/**
 * The seed's whole job: read data, decide the tasks from it (tasks.ts: gold tags where the files have them,
 * silver NER labels where they do not), train the heads in a worker, evaluate, write the run folder.
 */
export async function runPipeline(o: PipelineOptions, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  loadHfBertConfig(o.model); // refuses a folder that is not BERT-like before any slow work
  const tasks = await readTasks(o, (stage, message) => hooks.onEvent?.({ type: 'stage', stage, message }));
  return trainTasks(tasks, o, hooks);
}

export interface PipelineHooks {
  readonly onEvent?: (e: PipelineEvent) => void;
  readonly signal?: AbortSignal;
}

/** The pipeline after reading: tokenise and align the tasks' texts, train, evaluate, write o.out. */
export async function trainTasks(
  tasks: TaskData,
  o: PipelineOptions,
  hooks: PipelineHooks = {},
): Promise<PipelineResult> {
  const emit = (e: PipelineEvent): void => hooks.onEvent?.(e);
  const tokenizer = WordPieceTokenizer.fromDir(o.model);
  const { classLabels, nerTypes, silver } = tasks;

  emit({ type: 'stage', stage: 'prepare', message: 'tokenising and aligning labels' });
  const nerTags = nerTypes.length > 0 ? bioLabelList(nerTypes) : [];
  const {
    train: trainExamples,
    dev: devExamples,
    truncated,
  } = prepareTasks(tasks, tokenizer, { classLabels, nerTags, maxLength: o.maxLength });

  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  emit({
    type: 'stage',
    stage: 'train',
    message: `training ${trainExamples.length} examples, evaluating on ${devExamples.length}`,
  });
  const steps: AdvisorStep[] = [];
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
        nerBatching: o.nerBatching,
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
    {
      onEvent: (event) => {
        if (event.type === 'step') steps.push({ step: event.step, ...event.losses });
        emit({ type: 'train', event });
      },
      ...(hooks.signal && { signal: hooks.signal }),
    },
  );
  const advice = adviseRun(
    steps,
    result.history.map((h) => advisorEval(h.step, h.metrics)),
    {
      preset: o.preset,
      lr: o.lr,
      lossWeights: { classification: 1, ner: 1 },
      numClasses: classLabels.length,
      devExamples: devExamples.length,
    },
  );
  const summary: PipelineResult = {
    outDir,
    classLabels,
    nerTypes,
    data: {
      train: trainExamples.length,
      dev: devExamples.length,
      truncated,
      labelSources: tasks.sources,
      ...(silver && { silver }),
    },
    train: result,
    advice,
  };
  writeFileSync(join(outDir, 'pipeline.json'), JSON.stringify({ options: o, ...summary, train: undefined }, null, 2));
  return summary;
}
