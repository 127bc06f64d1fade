import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelEvalGraph, LOG_VAR_NAMES, logVarSpecs, type MultiTaskSpec, readCheckpointMeta } from '../model';
import { DEFAULT_ADAMW, warmupStepsFromRatio } from '../optim';
import { createSession, type Device, type HostTensor, onnxruntimeVersion, RunError, type Session } from '../runtime';
import { CheckpointHook, resumeDirOf } from './checkpoint-hook';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from './config';
import { hashConfig } from './config-hash';
import { calibrationBatches, calibrationCacheOf } from './calibrate';
import { chooseDevice } from './device-choice';
import { EarlyStoppingHook } from './early-stopping-hook';
import { EvaluationCancelled } from './evaluate';
import { EvaluationHook, selectMetricName } from './evaluation-hook';
import type { DeviceReport, TrainEvent } from './events';
import { type TrainExample, trainingFeeds, validateExamples } from './example';
import { planTrainingEpoch } from './epoch-plan';
import type { LoopState, TrainerHook } from './hooks';
import type { OpenedFeatureCache } from './feature-cache';
import { buildFeatures, decideFeatureCache, prepareSteppers, splitOf, withFrozenEncoder } from './frozen-features';
import { LoopProgress, StepTimer } from './loop-progress';
import { loadResumeState, ResumeError, settingsOfOlderRun } from './resume-state';
import { resumedMetric, type SelectMetric } from './select-metric';
import { effectiveEmbeddingUpdates, type OptimizerStep, type Stepper, stepLosses } from './stepper';
import type { TrainerData, TrainerModel, TrainerRun, TrainResult } from './types';

export { CheckpointSaveError } from './checkpoint-hook';

/** The device failed during a step: the run ends; its last resume point is intact. */
export class DeviceRunFailedError extends Error {
  override readonly name = 'DeviceRunFailedError';
  constructor(
    readonly device: string,
    readonly step: number,
    readonly epoch: number,
    cause: RunError,
  ) {
    super(
      `training on ${device} failed at step ${step} (epoch ${epoch + 1}): ${cause.providerMessage.trim()}. ` +
        'The last resume point (written every --checkpoint-every, 5 minutes by default, and at epoch ends) is intact: continue with --resume, on the CPU ' +
        'with --device cpu if the GPU is gone or out of memory (a smaller --batch-size also lowers GPU memory).',
      { cause },
    );
  }
}
export type { TrainerData, TrainerModel, TrainerRun, TrainResult } from './types';

/** Trains the multi-task model; see TrainerRun for what lands in the run folder. */
export async function train(
  model: TrainerModel,
  data: TrainerData,
  configInput: TrainerConfigInput,
  run: TrainerRun,
): Promise<TrainResult> {
  const parsed = parseTrainerConfig(
    run.resume ? { ...configInput, ...settingsOfOlderRun(run.outDir, configInput) } : configInput,
  );
  // The run records (and hashes) the update its graph makes: lazy needs k = 1 (stepper.ts).
  const cfg = {
    ...parsed,
    embeddingUpdates: effectiveEmbeddingUpdates(parsed.embeddingUpdates, parsed.gradAccumulation),
  };
  mkdirSync(run.outDir, { recursive: true });
  const numClasses = data.classLabels.length;
  const numNer = data.nerTags.length;
  validateExamples(data.train, 'train', numClasses, numNer, cfg.maxLength);
  validateExamples(data.dev, 'dev', numClasses, numNer, cfg.maxLength);
  const spec: MultiTaskSpec = { dims: model.config.dims, numClasses, numNerLabels: numNer, pooling: cfg.pooling };
  const withNerWeights = numNer > 0 && data.train.some((e) => e.nerWeights !== undefined);
  const tasks = { classification: numClasses > 0, ner: numNer > 0, nerWeights: withNerWeights };
  // Before any graph is built: a selection metric for a head this run does not train is refused here.
  selectMetricName(cfg, tasks);
  const planFor = (epoch: number): TrainExample[][] =>
    planTrainingEpoch(data.train, cfg, epoch).map((batch) => batch.map((i) => data.train[i]!));
  // Optimizer steps per epoch: each takes k consecutive planned batches (the epoch's last may take fewer).
  const perEpoch = Math.ceil(planFor(0).length / cfg.gradAccumulation);
  const totalSteps = cfg.maxSteps > 0 ? Math.min(cfg.maxSteps, cfg.epochs * perEpoch) : cfg.epochs * perEpoch;
  const adamw = { ...DEFAULT_ADAMW, weightDecay: cfg.weightDecay };
  const schedule =
    cfg.schedule === 'constant'
      ? { kind: 'constant' as const, lr: cfg.lr }
      : { kind: cfg.schedule, lr: cfg.lr, warmupSteps: warmupStepsFromRatio(totalSteps, cfg.warmupRatio), totalSteps };
  const emit = (e: TrainEvent): void => run.onEvent?.(e);
  const graph = {
    model: spec,
    freeze: cfg.freeze,
    adamw,
    clipNorm: cfg.clipNorm,
    dropout: cfg.dropout,
    lossWeights: cfg.lossWeights,
    // As asked: with k > 1 the stepper builds dense updates and says why in the device notes.
    embeddingUpdates: parsed.embeddingUpdates,
    taskWeighting: cfg.taskWeighting,
    logVarLrScale: cfg.taskWeightLr / cfg.lr,
    withNerWeights,
  };
  // Learned task weights start at s = 0 (weight 1): the fixed default.
  const logVars = logVarSpecs(graph);
  const cache = decideFeatureCache(cfg, spec, data, run.outDir, run.freeBytes);
  // With the cache the run's session holds only the heads; 'auto' still times the whole model per device.
  const { full, heads, encoder } = prepareSteppers(cache, {
    graph,
    gradAccumulation: cfg.gradAccumulation,
    adamw,
    schedule,
    params: new Map([
      ...[...model.params].map(([name, t]) => [name, t.data] as const),
      ...logVars.map((p) => [p.name, new Float32Array(1)] as const),
    ]),
    adoptParams: run.consumeModelWeights ?? false,
    seed: cfg.seed,
    ...(cfg.threads !== undefined && { threads: cfg.threads }),
  });
  const opened = await chooseDevice(cfg.device, {
    open: heads.open,
    openForCalibration: full.openForCalibration,
    calibration: () => ({
      graphKey: JSON.stringify({
        spec,
        freeze: cfg.freeze,
        dropout: cfg.dropout,
        k: cfg.gradAccumulation,
        w: cfg.lossWeights,
        e: cfg.embeddingUpdates,
        ...(cfg.taskWeighting !== 'fixed' && { tw: cfg.taskWeighting }),
        ...(withNerWeights && { nw: true }),
      }),
      ...calibrationBatches(planFor(0), cfg.gradAccumulation, (batch) => trainingFeeds(batch, model.padId, tasks)),
      ortVersion: onnxruntimeVersion(),
      ...calibrationCacheOf(run),
    }),
  });
  const used = opened.report.used as Device;
  const device: DeviceReport = { ...opened.report, notes: heads.notes(used) };
  const cacheDir = cache.use ? cache.dir : undefined;
  // Filled once 'started' is out (loop calls beforeSteps): the cache build is the run's first minutes.
  const fc: { cache?: OpenedFeatureCache } = {};
  let evalSession: Session | undefined;
  try {
    const session = cacheDir !== undefined ? withFrozenEncoder(opened.value, encoder) : opened.value;
    const input = cacheDir !== undefined ? 'features' : 'ids';
    evalSession = await createSession(buildModelEvalGraph(spec, { input }).bytes, {
      device: used,
      threads: cfg.threads,
    });
    const result = await loop({
      model,
      data,
      cfg,
      run,
      spec,
      session,
      evalSession,
      device,
      planFor,
      perEpoch,
      totalSteps,
      tasks,
      trainableCount: heads.trainableCount(used),
      logVarNames: logVars.map((p) => p.name),
      feeds:
        cacheDir === undefined
          ? { train: (b) => trainingFeeds(b, model.padId, tasks) }
          : {
              train: (b) => splitOf(fc.cache, 'train').feeds(b, tasks),
              dev: (b) => splitOf(fc.cache, 'dev').feeds(b, NO_LABELS),
            },
      beforeSteps: async () => {
        if (!cache.use && cache.message !== null) emit({ type: 'message', level: 'warning', message: cache.message });
        // undefined when a cancel came while computing: the loop then stops before its first step.
        if (cacheDir !== undefined)
          fc.cache = await buildFeatures({ model, data, cfg, run, device: used, dir: cacheDir, emit });
      },
    });
    // Derived data: kept for --resume after a cancel, removed once the run has ended.
    fc.cache?.close();
    fc.cache = undefined;
    if (cacheDir !== undefined && result.status !== 'cancelled') rmSync(cacheDir, { recursive: true, force: true });
    return result;
  } finally {
    fc.cache?.close();
    await opened.value.release();
    await evalSession?.release();
  }
}

const NO_LABELS = { classification: false, ner: false } as const;

interface LoopContext {
  readonly model: TrainerModel;
  readonly data: TrainerData;
  readonly cfg: TrainerConfig;
  readonly run: TrainerRun;
  readonly spec: MultiTaskSpec;
  readonly session: Stepper;
  readonly evalSession: Session;
  readonly device: DeviceReport;
  readonly planFor: (epoch: number) => TrainExample[][];
  readonly perEpoch: number;
  readonly totalSteps: number;
  readonly tasks: { readonly classification: boolean; readonly ner: boolean; readonly nerWeights: boolean };
  readonly trainableCount: number;
  /** Batch inputs: ids (trainingFeeds) or cached encoder features; dev: only when not ids. */
  readonly feeds: {
    readonly train: (batch: readonly TrainExample[]) => Record<string, HostTensor>;
    readonly dev?: (batch: readonly TrainExample[]) => Record<string, HostTensor>;
  };
  /** Runs after 'started', on the run's clock, before the first step (computes the feature cache). */
  readonly beforeSteps: () => Promise<void>;
  /** Learned task-weight parameters (uncertainty weighting): in resume/, never in best/. */
  readonly logVarNames: readonly string[];
}

/** The hooks of a run; `all` is the order the loop calls them in (hooks.ts). */
interface RunHooks {
  readonly evaluation: EvaluationHook;
  readonly earlyStopping: EarlyStoppingHook;
  readonly checkpoints: CheckpointHook;
  readonly all: readonly TrainerHook[];
}

function createHooks(ctx: LoopContext, configHash: string, metricName: SelectMetric): RunHooks {
  const { cfg, data, model, run } = ctx;
  const shapes = new Map<string, readonly number[]>([
    ...[...model.params].map(([n, t]) => [n, t.shape] as const),
    ...ctx.logVarNames.map((n) => [n, []] as const),
  ]);
  const evaluation = new EvaluationHook({
    session: ctx.evalSession,
    dev: data.dev,
    labels: { classLabels: data.classLabels, nerTags: data.nerTags },
    batchSize: cfg.evalBatchSize,
    padId: model.padId,
    everySteps: cfg.evalEverySteps,
    metric: metricName,
    cancelled: () => run.signal?.aborted === true,
    ...(ctx.feeds.dev && { feeds: ctx.feeds.dev }),
  });
  const earlyStopping = new EarlyStoppingHook(metricName, cfg.patience);
  const checkpoints = new CheckpointHook({
    model,
    data,
    cfg,
    run,
    configHash,
    shapes,
    earlyStopping,
    notInBest: new Set(ctx.logVarNames),
  });
  return { evaluation, earlyStopping, checkpoints, all: [evaluation, earlyStopping, checkpoints] };
}

/**
 * The step loop: takes optimizer steps over each epoch's plan and calls the hooks around them (hooks.ts has
 * the order). Evaluation, best/ and resume/ checkpoints and early stopping live in the hooks.
 */
async function loop(ctx: LoopContext): Promise<TrainResult> {
  const { cfg, run, session, data } = ctx;
  const emit = (e: TrainEvent): void => run.onEvent?.(e);
  const configHash = hashConfig(cfg, data);
  const resumed = run.resume ? loadResumeState(resumeDirOf(run.outDir), configHash) : undefined;
  const metricName = resumedMetric(
    selectMetricName(cfg, ctx.tasks),
    cfg.selectMetric,
    resumed ? { ...resumed.info.earlyStopping, onDisk: bestCheckpointRecord(run.outDir) } : null,
  );
  if (typeof metricName !== 'string') throw new ResumeError(metricName.refused);
  const named = createHooks(ctx, configHash, metricName);
  const hooks = named.all;

  const s = new LoopProgress(session, emit, hooks);
  // After the resume check: a refused resume leaves the folder's record of how it trained as it was.
  // Whole or not at all: a later resume reads from it what the run trained with (settingsOfOlderRun).
  const configFile = join(run.outDir, 'trainer-config.json');
  writeFileSync(`${configFile}.tmp`, JSON.stringify({ ...cfg, configHash }, null, 2));
  renameSync(`${configFile}.tmp`, configFile);
  if (resumed) {
    await session.loadState(resumed.state);
    ({ epoch: s.epoch, batchInEpoch: s.batchInEpoch } = resumed.info);
    s.elapsedBefore = resumed.info.elapsedSec;
  }
  for (const h of hooks) h.onTrainBegin?.(s, resumed?.info);
  emit({
    type: 'started',
    device: ctx.device,
    trainExamples: data.train.length,
    devExamples: data.dev.length,
    trainableParams: ctx.trainableCount,
    totalSteps: ctx.totalSteps,
    resumedFromStep: session.step,
  });
  s.startClock();
  await ctx.beforeSteps();
  const timer = new StepTimer();

  outer: while (s.epoch < cfg.epochs && session.step < ctx.totalSteps) {
    const plan = ctx.planFor(s.epoch);
    s.planLength = plan.length;
    while (s.batchInEpoch < plan.length) {
      if (run.signal?.aborted) {
        s.status = 'cancelled';
        break outer;
      }
      // One optimizer step takes the next k planned batches as micro-batches.
      const group = plan.slice(s.batchInEpoch, s.batchInEpoch + cfg.gradAccumulation);
      const ts = performance.now();
      const r = await runStep(ctx, session, group, s.resumeAt);
      s.batchInEpoch += group.length;
      timer.add((performance.now() - ts) / 1000, group);
      emit({
        type: 'step',
        step: session.step,
        totalSteps: ctx.totalSteps,
        epoch: s.epoch,
        losses: stepLosses(group, r),
        lr: r.lr,
        gradNorm: r.gradNorm,
        samplesPerSec: timer.samplesPerSec(),
        etaSec: timer.etaSec(ctx.totalSteps - session.step),
      });
      if (!Number.isFinite(r.loss))
        throw new Error(
          `the loss became ${r.loss} at step ${session.step}; lower the learning rate (now ${cfg.lr}) or check the labels.`,
        );
      // A cancel that arrived during the step stops here, before evaluation (minutes on a slow device).
      if (run.signal?.aborted && session.step < ctx.totalSteps) {
        s.status = 'cancelled';
        break outer;
      }
      if (!(await runHooks(s, hooks, 'onStepEnd'))) {
        s.status = 'cancelled';
        break outer;
      }
      if (s.stopRequested()) {
        s.status = 'early-stopped';
        break outer;
      }
      if (session.step >= ctx.totalSteps) break;
    }
    // The plan is done (the next epoch follows) or the step budget ended the epoch early (it stays).
    const next = s.planDone
      ? { epoch: s.epoch + 1, batchInEpoch: 0 }
      : { epoch: s.epoch, batchInEpoch: s.batchInEpoch };
    s.next = next;
    const finished = await runHooks(s, hooks, 'onEpochEnd');
    ({ epoch: s.epoch, batchInEpoch: s.batchInEpoch } = next);
    s.next = undefined;
    if (!finished) {
      s.status = 'cancelled';
      break;
    }
    if (s.stopRequested()) {
      s.status = 'early-stopped';
      break;
    }
  }
  for (const h of hooks) await h.onTrainEnd?.(s);
  return finish(ctx, named, s.status, s.seconds(), await learnedTaskWeights(ctx));
}

/** exp(-s) of each learned log-variance at the end of the run (uncertainty weighting), by task. */
async function learnedTaskWeights(ctx: LoopContext): Promise<TrainResult['taskWeights']> {
  if (ctx.logVarNames.length === 0) return undefined;
  const params = await ctx.session.readParameters();
  const weight = (name: string): number | undefined => {
    const s = params.get(name);
    return s === undefined ? undefined : Math.exp(-s[0]!);
  };
  const classification = weight(LOG_VAR_NAMES.classification);
  const ner = weight(LOG_VAR_NAMES.ner);
  return { ...(classification !== undefined && { classification }), ...(ner !== undefined && { ner }) };
}

/**
 * One optimizer step. A device failure mid-run (a GPU that disappears or runs out of memory) ends the run
 * with what happened, where the last resume point is, and how to continue on the CPU.
 */
async function runStep(
  ctx: LoopContext,
  session: Stepper,
  group: readonly (readonly TrainExample[])[],
  at: { readonly epoch: number; readonly batchInEpoch: number },
): Promise<OptimizerStep> {
  try {
    return await session.run(group.map((batch) => ctx.feeds.train(batch)));
  } catch (err) {
    if (ctx.device.used === 'cpu' || !(err instanceof RunError)) throw err;
    throw new DeviceRunFailedError(ctx.device.used, session.step, at.epoch, err);
  }
}

/** Runs one phase on every hook; false when a cancel stopped an evaluation inside it. */
async function runHooks(
  s: LoopState,
  hooks: readonly TrainerHook[],
  phase: 'onStepEnd' | 'onEpochEnd',
): Promise<boolean> {
  try {
    for (const h of hooks) await h[phase]?.(s);
    return true;
  } catch (err) {
    if (err instanceof EvaluationCancelled) return false;
    throw err;
  }
}

/** Writes metrics.json and emits 'finished'. */
function finish(
  ctx: LoopContext,
  hooks: RunHooks,
  status: TrainResult['status'],
  seconds: number,
  taskWeights: TrainResult['taskWeights'],
): TrainResult {
  const best = hooks.earlyStopping.best();
  const result: TrainResult = {
    status,
    ...(taskWeights && { taskWeights }),
    steps: ctx.session.step,
    seconds,
    device: ctx.device,
    best,
    history: hooks.evaluation.history,
    bestCheckpoint: hooks.checkpoints.bestCheckpoint,
  };
  writeFileSync(join(ctx.run.outDir, 'metrics.json'), JSON.stringify(result, null, 2));
  ctx.run.onEvent?.({
    type: 'finished',
    status,
    steps: ctx.session.step,
    seconds: result.seconds,
    best: { metric: best.metric, value: best.value, step: best.step },
  });
  return result;
}

/** best/config.json's record of the step and metric it was kept at; null when there is none or it is unreadable. */
function bestCheckpointRecord(outDir: string): { readonly step?: unknown; readonly metric?: unknown } | null {
  try {
    return readCheckpointMeta(join(outDir, 'best')).meta.extra ?? null;
  } catch {
    // No readable best/: resumedMetric refuses a saved best whose metric nothing else names.
    return null;
  }
}
