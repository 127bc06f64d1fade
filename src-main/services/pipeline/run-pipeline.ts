import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { bioLabelList } from '../../data/align';
import { FREEZE_PRESETS, loadHfBertConfig } from '../../engine/model';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import type { Advice, AdvisorStep, TrainEvent, TrainResult } from '../../engine/trainer';
import {
  adviseRun,
  advisorEval,
  IGNORE,
  parseTrainerConfig,
  resolveSelectMetric,
  SELECT_METRICS,
  plannedFeatureCacheBytes,
  planTrainingEpoch,
  trainInWorker,
} from '../../engine/trainer';
import { parseInput } from '../api/errors';
import { PipelineInputError } from './read';
import { resolveRecipe, type ResolvedRecipe } from '../train/recipe';
import { prepareTasks, readTasks, type SilverStats, type TaskData } from './tasks';
import { compareWithTeacher, type TeacherComparison } from './teacher-score';

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
    /** Omitted: the preset's recipe (services/train/recipe.ts) picks enough epochs for this train size. */
    epochs: z.number().int().positive().optional(),
    maxSteps: z.number().int().nonnegative().default(0),
    batchSize: z.number().int().positive().default(32),
    /** NER-only batches cut by labelled tokens (default) or by sentence count; see TrainerConfig.nerBatching. */
    nerBatching: z.enum(['tokens', 'examples']).default('tokens'),
    /** Micro-batches per optimizer step (gradient accumulation). */
    gradAccumulation: z.number().int().positive().default(1),
    /**
     * Word-embedding updates: lazy (the batch's rows only) or dense; see TrainerConfig.embeddingUpdates. Unset: the
     * trainer's default (lazy) for a new run, and on resume what the run trained with (its default was dense once).
     */
    embeddingUpdates: z.enum(['lazy', 'dense']).optional(),
    maxLength: z.number().int().min(8).max(512).default(128),
    /** Omitted: the preset's recipe learning rate. */
    lr: z.number().positive().optional(),
    pooling: z.enum(['mean', 'cls', 'max']).default('mean'),
    device: z.enum(['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml']).default('auto'),
    /** Frozen encoder: compute its features once and train the heads on them (TrainerConfig.featureCache). */
    featureCache: z.enum(['auto', 'on', 'off']).default('auto'),
    threads: z.number().int().positive().optional(),
    limit: z.number().int().nonnegative().default(0),
    devLimit: z.number().int().nonnegative().default(0),
    seed: z.number().int().nonnegative().default(42),
    patience: z.number().int().nonnegative().default(0),
    evalEverySteps: z.number().int().nonnegative().default(0),
    /** The dev metric that keeps the best checkpoint and drives --patience (auto: by the trained heads). */
    selectMetric: z.enum(SELECT_METRICS).default('auto'),
    resume: z.boolean().default(false),
    /** Seconds between mid-epoch resume/ writes (0: only at epoch ends and on stop). */
    checkpointEverySec: z.number().nonnegative().default(300),
    skipBadRows: z.boolean().default(false),
    /** How the task losses combine: fixed weights, or learned ones (uncertainty weighting; TrainerConfig). */
    taskWeighting: z.enum(['fixed', 'uncertainty']).default('fixed'),
    /** Peak step size of the learned task weights' log-variances. */
    taskWeightLr: z.number().positive().default(0.01),
    /** Silver NER labels below this confidence are ignored in the loss (0 = every silver label counts). */
    silverMinConfidence: z.number().min(0).max(1).default(0),
    /** 'ignore': silver labels at or above the threshold weigh 1; 'confidence': they weigh their confidence. */
    silverWeights: z.enum(['ignore', 'confidence']).default('ignore'),
    /** Self-training rounds after the silver run (self-train.ts: runSelfTraining); 0 = a plain run. */
    selfTrain: z.number().int().min(0).max(5).default(0),
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
  | {
      readonly type: 'stage';
      readonly stage: 'read' | 'label' | 'prepare' | 'train' | 'self-train';
      readonly message: string;
    }
  | { readonly type: 'train'; readonly event: TrainEvent }
  /** Something worth knowing before the run goes on (too few optimizer steps to learn). */
  | { readonly type: 'warning'; readonly message: string };

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
  /** The learning rate and epochs the run used, and whether its preset's recipe chose them. */
  readonly recipe: ResolvedRecipe;
  readonly warnings: readonly string[];
  readonly train: TrainResult;
  /** What the training advisor reads from the run's curves (which head lags, over-fitting, what to try). */
  readonly advice: readonly Advice[];
  /** Uncertainty weighting: each task's learned weight exp(-s) at the end of the run. */
  readonly learnedTaskWeights?: TrainResult['taskWeights'];
  /** Silver train, gold dev: the silver labeler's score on that dev beside the run's (student - teacher). */
  readonly teacher?: TeacherComparison;
}

/**
 * The seed's whole job: read data, decide the tasks from it (tasks.ts: gold tags where the files have them,
 * silver NER labels where they do not), train the heads in a worker, evaluate, write the run folder.
 */
export async function runPipeline(o: PipelineOptions, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  if (o.selfTrain > 0) {
    // Self-training runs several pipelines one after another (self-train.ts imports this module, not the reverse).
    throw new PipelineInputError(
      `selfTrain ${o.selfTrain} asks for self-training rounds, which runSelfTraining (services/pipeline/self-train.ts) runs; runPipeline trains one run (selfTrain 0).`,
    );
  }
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
  const selection = resolveSelectMetric(o.selectMetric, {
    classification: classLabels.length > 0,
    ner: nerTypes.length > 0,
  });
  if (!selection.ok) throw new PipelineInputError(selection.message);

  emit({ type: 'stage', stage: 'prepare', message: 'tokenising and aligning labels' });
  const nerTags = nerTypes.length > 0 ? bioLabelList(nerTypes) : [];
  const {
    train: trainExamples,
    dev: devExamples,
    truncated,
  } = prepareTasks(tasks, tokenizer, { classLabels, nerTags, maxLength: o.maxLength });

  const labelled = trainExamples.filter((e) => e.classLabel !== IGNORE).length;
  const recipe = resolveRecipe(o, {
    groups: [labelled, trainExamples.length - labelled],
    batchSize: o.batchSize,
    gradAccumulation: o.gradAccumulation,
    // The trainer's own plan, so the steps announced are the steps run.
    batches: planTrainingEpoch(
      trainExamples,
      parseTrainerConfig({
        freeze: { preset: o.preset },
        batchSize: o.batchSize,
        nerBatching: o.nerBatching,
        seed: o.seed,
      }),
      0,
    ).length,
  });
  const warnings = recipe.warning === null ? [] : [recipe.warning];
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const freeze = { preset: o.preset, freezeEmbeddings: o.freezeEmbeddings, freezeBottomLayers: o.freezeBottomLayers };
  const cacheBytes = plannedFeatureCacheBytes(
    { featureCache: o.featureCache, freeze, lossWeights: { classification: 1, ner: 1 } },
    {
      dims: loadHfBertConfig(o.model).dims,
      numClasses: classLabels.length,
      numNerLabels: nerTags.length,
      pooling: o.pooling,
    },
    { train: trainExamples, dev: devExamples },
  );
  emit({
    type: 'stage',
    stage: 'train',
    message: `training ${trainExamples.length} examples, evaluating on ${devExamples.length}, best checkpoint by ${selection.metric}; ${recipeText(recipe)}${featureCacheText(cacheBytes, o.out)}`,
  });
  for (const message of warnings) emit({ type: 'warning', message });
  const steps: AdvisorStep[] = [];
  const result = await trainInWorker(
    {
      modelDir: o.model,
      train: trainExamples,
      dev: devExamples,
      classLabels,
      nerTags,
      config: {
        freeze,
        featureCache: o.featureCache,
        pooling: o.pooling,
        epochs: recipe.epochs,
        maxSteps: o.maxSteps,
        batchSize: o.batchSize,
        nerBatching: o.nerBatching,
        gradAccumulation: o.gradAccumulation,
        ...(o.embeddingUpdates !== undefined && { embeddingUpdates: o.embeddingUpdates }),
        maxLength: o.maxLength,
        lr: recipe.lr,
        seed: o.seed,
        patience: o.patience,
        evalEverySteps: o.evalEverySteps,
        selectMetric: o.selectMetric,
        taskWeighting: o.taskWeighting,
        taskWeightLr: o.taskWeightLr,
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
      lr: recipe.lr,
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
    recipe,
    warnings,
    train: result,
    advice,
    ...(result.taskWeights && { learnedTaskWeights: result.taskWeights }),
    ...(tasks.teacher && { teacher: compareWithTeacher(tasks.teacher, result.best) }),
  };
  // The options as trained (recipe filled in, the embedding updates the trainer ran), so a re-run or an
  // hf-trainer export reads the same values.
  const options = { ...o, lr: recipe.lr, epochs: recipe.epochs, embeddingUpdates: trainedEmbeddingUpdates(outDir) };
  writeFileSync(join(outDir, 'pipeline.json'), JSON.stringify({ options, ...summary, train: undefined }, null, 2));
  return summary;
}

/** The word-embedding updates the trainer ran (its trainer-config.json: a resumed run may keep an older default). */
function trainedEmbeddingUpdates(outDir: string): 'lazy' | 'dense' | undefined {
  const file = join(outDir, 'trainer-config.json');
  if (!existsSync(file)) return undefined;
  const saved = z
    .object({ embeddingUpdates: z.enum(['lazy', 'dense']) })
    .safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return saved.success ? saved.data.embeddingUpdates : undefined;
}

/** The plan line's cache part: "; frozen encoder: features computed once, cached in 45 MiB of disk ...". */
export function featureCacheText(bytes: number | null, out: string): string {
  if (bytes === null) return '';
  const mib = bytes / 2 ** 20;
  return `; frozen encoder: its features are computed once and the heads train on them (cache: ${mib < 10 ? mib.toFixed(1) : Math.round(mib)} MiB of disk in ${join(out, 'feature-cache')}, little memory; --feature-cache off to run the encoder every step)`;
}

/** "heads-only recipe: lr 2e-3 (preset), 15 epochs (preset) x 10 steps = 150 optimizer steps". */
export function recipeText(r: ResolvedRecipe): string {
  const src = (fromPreset: boolean): string => (fromPreset ? 'preset' : 'given');
  return (
    `${r.preset} recipe: lr ${r.lr.toExponential()} (${src(r.lrFromPreset)}), ` +
    `${r.epochs} epoch${r.epochs === 1 ? '' : 's'} (${src(r.epochsFromPreset)}) x ${r.stepsPerEpoch} steps = ${r.totalSteps} optimizer steps`
  );
}
