import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HfBertConfig } from '../model/hf-config';
import type { MultiTaskSpec } from '../model/multitask';
import type { ParamStore } from '../model/param-store';
import { saveCheckpoint } from '../model/checkpoint';
import { buildModelEvalGraph } from '../model/training-graph';
import { DEFAULT_ADAMW, warmupStepsFromRatio } from '../optim';
import type { HostTensor, Session } from '../runtime';
import { createSession, hostTensor } from '../runtime';
import { planTrainingEpoch } from './epoch-plan';
import type { TrainerConfig, TrainerConfigInput } from './config';
import { parseTrainerConfig } from './config';
import { openOnDevice } from './device-choice';
import { EarlyStopping } from './early-stopping';
import type { EvalLabels } from './evaluate';
import { evaluate } from './evaluate';
import type { DeviceReport, EvalMetrics, TrainEvent } from './events';
import type { TrainExample } from './example';
import { trainingFeeds, validateExamples } from './example';
import type { ResumeInfo } from './resume-state';
import { loadResumeState, saveResumeState } from './resume-state';
import { prepareStepper, type Stepper, stepLosses } from './stepper';

/** The starting model: base encoder (+ heads, initialised by the caller) and where its tokenizer lives. */
export interface TrainerModel {
  readonly config: HfBertConfig;
  readonly params: ParamStore;
  readonly tokenizerDir: string;
  readonly padId: number;
}

/** Tokenised data and label names; an empty label list means the model has no head for that task. */
export interface TrainerData {
  readonly train: readonly TrainExample[];
  readonly dev: readonly TrainExample[];
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
}

export interface TrainerRun {
  /** Run folder: best/ (HF checkpoint), resume/ (exact state), metrics.json, trainer-config.json. */
  readonly outDir: string;
  /** Continue from outDir/resume when it exists (it must come from the same config and data). */
  readonly resume?: boolean;
  /** Checked between steps: an AbortSignal, or a flag a worker reads from shared memory. */
  readonly signal?: { readonly aborted: boolean };
  readonly onEvent?: (event: TrainEvent) => void;
  /** Provenance stored in the checkpoint's config.json under mts.extra. */
  readonly provenance?: Readonly<Record<string, unknown>>;
  /**
   * The model was loaded for this run only: training takes its weight arrays as its own buffers instead of
   * copying them (about 90 MB less peak memory for MiniLM) and overwrites them. Leave off to reuse the model.
   */
  readonly consumeModelWeights?: boolean;
}

export interface TrainResult {
  readonly status: 'completed' | 'cancelled' | 'early-stopped';
  readonly steps: number;
  readonly seconds: number;
  readonly device: DeviceReport;
  readonly best: {
    readonly metric: string;
    readonly value: number | null;
    readonly step: number;
    readonly metrics?: EvalMetrics;
  };
  readonly history: readonly { readonly step: number; readonly epoch: number; readonly metrics: EvalMetrics }[];
  readonly bestCheckpoint: string | null;
}

/** Trains the multi-task model; see TrainerRun for what lands in the run folder. */
export async function train(
  model: TrainerModel,
  data: TrainerData,
  configInput: TrainerConfigInput,
  run: TrainerRun,
): Promise<TrainResult> {
  const cfg = parseTrainerConfig(configInput);
  const numClasses = data.classLabels.length;
  const numNer = data.nerTags.length;
  validateExamples(data.train, 'train', numClasses, numNer, cfg.maxLength);
  validateExamples(data.dev, 'dev', numClasses, numNer, cfg.maxLength);
  const spec: MultiTaskSpec = { dims: model.config.dims, numClasses, numNerLabels: numNer, pooling: cfg.pooling };
  const tasks = { classification: numClasses > 0, ner: numNer > 0 };
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
  const stepper = prepareStepper({
    graph: {
      model: spec,
      freeze: cfg.freeze,
      adamw,
      clipNorm: cfg.clipNorm,
      dropout: cfg.dropout,
      lossWeights: cfg.lossWeights,
    },
    gradAccumulation: cfg.gradAccumulation,
    adamw,
    schedule,
    params: new Map([...model.params].map(([name, t]) => [name, t.data])),
    adoptParams: run.consumeModelWeights ?? false,
    seed: cfg.seed,
    ...(cfg.threads !== undefined && { threads: cfg.threads }),
  });
  const opened = await openOnDevice(cfg.device, stepper.open);
  const session = opened.value;
  const device = opened.report;
  const evalSession = await createSession(buildModelEvalGraph(spec).bytes, {
    device: device.used as never,
    threads: cfg.threads,
  });
  try {
    return await loop({
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
      trainableCount: stepper.trainableCount,
    });
  } finally {
    await session.release();
    await evalSession.release();
  }
}

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
  readonly tasks: { readonly classification: boolean; readonly ner: boolean };
  readonly trainableCount: number;
}

async function loop(ctx: LoopContext): Promise<TrainResult> {
  const { cfg, run, session, data, model } = ctx;
  const emit = (e: TrainEvent): void => run.onEvent?.(e);
  mkdirSync(run.outDir, { recursive: true });
  const configHash = hashConfig(cfg, data);
  writeFileSync(join(run.outDir, 'trainer-config.json'), JSON.stringify({ ...cfg, configHash }, null, 2));
  const metricName = selectMetricName(cfg, ctx.tasks);
  const stopper = new EarlyStopping(metricName, 'max', cfg.patience);
  const shapes = new Map([...model.params].map(([n, t]) => [n, t.shape]));
  const labels: EvalLabels = { classLabels: data.classLabels, nerTags: data.nerTags };
  const history: { step: number; epoch: number; metrics: EvalMetrics }[] = [];
  let bestMetrics: EvalMetrics | undefined;
  let bestCheckpoint: string | null = null;
  let epoch = 0;
  let batchInEpoch = 0;
  let elapsedBefore = 0;
  const resumeDir = join(run.outDir, 'resume');
  const resumed = run.resume ? loadResumeState(resumeDir, configHash) : undefined;
  if (resumed) {
    session.loadState(resumed.state);
    ({ epoch, batchInEpoch } = resumed.info);
    elapsedBefore = resumed.info.elapsedSec;
    stopper.restore(resumed.info.earlyStopping);
  }
  emit({
    type: 'started',
    device: ctx.device,
    trainExamples: data.train.length,
    devExamples: data.dev.length,
    trainableParams: ctx.trainableCount,
    totalSteps: ctx.totalSteps,
    resumedFromStep: session.step,
  });
  const t0 = performance.now();
  const seconds = (): number => elapsedBefore + (performance.now() - t0) / 1000;
  let stepTimeSum = 0;
  let stepsTimed = 0;
  let samplesTimed = 0;

  const saveResume = (): void => {
    const info: ResumeInfo = {
      version: 1,
      configHash,
      step: session.step,
      epoch,
      batchInEpoch,
      earlyStopping: stopper.state(),
      elapsedSec: seconds(),
    };
    saveResumeState(resumeDir, session.getState(), info, shapes);
  };
  const evalNow = async (): Promise<void> => {
    const params = paramFeeds(session.getParameters(), shapes);
    const { metrics } = await evaluate(ctx.evalSession, params, data.dev, labels, cfg.evalBatchSize, model.padId);
    const value = metricValue(metrics, metricName);
    const isBest = stopper.update(value, session.step);
    history.push({ step: session.step, epoch, metrics });
    if (isBest) {
      bestMetrics = metrics;
      const bestDir = join(run.outDir, 'best');
      savingTo(bestDir, () =>
        saveCheckpoint(bestDir, {
          config: model.config,
          meta: {
            version: 1,
            heads: {
              ...(data.classLabels.length > 0 && { classification: { labels: [...data.classLabels] } }),
              ...(data.nerTags.length > 0 && { ner: { labels: [...data.nerTags] } }),
            },
            pooling: cfg.pooling,
            maxLength: cfg.maxLength,
            extra: { ...run.provenance, step: session.step, epoch, metric: metricName, value },
          },
          params: new Map(
            [...session.getParameters()].map(([n, d]) => [n, { data: d as Float32Array, shape: shapes.get(n)! }]),
          ),
          tokenizerDir: model.tokenizerDir,
        }),
      );
      bestCheckpoint = bestDir;
      emit({ type: 'checkpoint', step: session.step, path: bestDir, best: true });
    }
    emit({ type: 'eval', step: session.step, epoch, metrics, isBest });
  };

  let status: TrainResult['status'] = 'completed';
  outer: while (epoch < cfg.epochs && session.step < ctx.totalSteps) {
    const plan = ctx.planFor(epoch);
    while (batchInEpoch < plan.length) {
      if (run.signal?.aborted) {
        status = 'cancelled';
        break outer;
      }
      // One optimizer step takes the next k planned batches as micro-batches.
      const group = plan.slice(batchInEpoch, batchInEpoch + cfg.gradAccumulation);
      const ts = performance.now();
      const r = await session.run(group.map((batch) => trainingFeeds(batch, model.padId, ctx.tasks)));
      const dt = (performance.now() - ts) / 1000;
      batchInEpoch += group.length;
      stepTimeSum += dt;
      stepsTimed++;
      samplesTimed += group.reduce((n, batch) => n + batch.length, 0);
      emit({
        type: 'step',
        step: session.step,
        totalSteps: ctx.totalSteps,
        epoch,
        losses: stepLosses(group, r),
        lr: r.lr,
        gradNorm: r.gradNorm,
        samplesPerSec: samplesTimed / stepTimeSum,
        etaSec: (stepTimeSum / stepsTimed) * (ctx.totalSteps - session.step),
      });
      if (!Number.isFinite(r.loss))
        throw new Error(
          `the loss became ${r.loss} at step ${session.step}; lower the learning rate (now ${cfg.lr}) or check the labels.`,
        );
      if (cfg.evalEverySteps > 0 && session.step % cfg.evalEverySteps === 0 && batchInEpoch < plan.length)
        await evalNow();
      if (stopper.shouldStop) {
        status = 'early-stopped';
        break outer;
      }
      if (session.step >= ctx.totalSteps) break;
    }
    await evalNow();
    if (batchInEpoch >= plan.length) {
      epoch++;
      batchInEpoch = 0;
    }
    saveResume();
    if (stopper.shouldStop) {
      status = 'early-stopped';
      break;
    }
  }
  if (status !== 'completed') saveResume();
  const best = {
    metric: metricName,
    ...stopper.best,
    value: stopper.best.value ?? null,
    ...(bestMetrics && { metrics: bestMetrics }),
  };
  const result: TrainResult = {
    status,
    steps: session.step,
    seconds: seconds(),
    device: ctx.device,
    best,
    history,
    bestCheckpoint,
  };
  writeFileSync(join(run.outDir, 'metrics.json'), JSON.stringify(result, null, 2));
  emit({
    type: 'finished',
    status,
    steps: session.step,
    seconds: result.seconds,
    best: { metric: metricName, value: best.value, step: best.step },
  });
  return result;
}

/** A save that failed (disk full, permissions); the previous version of the folder is left intact. */
export class CheckpointSaveError extends Error {
  override readonly name = 'CheckpointSaveError';
}

function savingTo(dir: string, save: () => void): void {
  try {
    save();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOSPC'
        ? 'the disk is full'
        : e.code === 'EACCES' || e.code === 'EPERM'
          ? 'permission was denied'
          : e.message;
    throw new CheckpointSaveError(
      `could not save ${dir}: ${why}. The previous checkpoint there is intact; free space or fix the folder, then continue the run with --resume.`,
    );
  }
}

function paramFeeds(
  params: ReadonlyMap<string, Float32Array | Float64Array>,
  shapes: ReadonlyMap<string, readonly number[]>,
): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, data] of params) out[name] = hostTensor('float32', data as Float32Array, shapes.get(name)!);
  return out;
}

function selectMetricName(cfg: TrainerConfig, tasks: { classification: boolean; ner: boolean }): string {
  if (cfg.selectMetric !== 'auto') return cfg.selectMetric;
  return tasks.classification ? 'classification.accuracy' : 'ner.f1';
}

function metricValue(m: EvalMetrics, name: string): number {
  switch (name) {
    case 'classification.accuracy':
      return m.classification?.accuracy ?? Number.NaN;
    case 'classification.macroF1':
      return m.classification?.macroF1 ?? Number.NaN;
    default:
      return m.ner?.f1 ?? Number.NaN;
  }
}

function hashConfig(cfg: TrainerConfig, data: TrainerData): string {
  const h = createHash('sha256');
  // k = 1 leaves the field out, so resume folders written before gradAccumulation existed still match.
  const k = cfg.gradAccumulation === 1 ? undefined : cfg.gradAccumulation;
  h.update(JSON.stringify({ ...cfg, gradAccumulation: k, threads: undefined, device: undefined }));
  h.update(
    JSON.stringify({ cls: data.classLabels, ner: data.nerTags, train: data.train.length, dev: data.dev.length }),
  );
  for (const e of data.train) h.update(`${e.ids.join(',')}|${e.classLabel}|${e.nerLabels?.join(',') ?? ''}\n`);
  return h.digest('hex').slice(0, 16);
}
