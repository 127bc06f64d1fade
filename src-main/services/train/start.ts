// Starting, following and cancelling a training run from the store's data (the app's Train button).
import { basename, resolve } from 'node:path';
import type { TrainerConfigInput, TrainExample, TrainJob } from '../../engine/trainer';
import type { Db } from '../../store/db';
import type { Run } from '../../store/types';
import { createRun, getRun } from '../../store/repos/runs';
import { ServiceError } from '../api/errors';
import { resolveLocalModel } from '../models';
import { abortRun, completionOf } from './active';
import {
  launch,
  prepareRequest,
  runOutDir,
  withSlot,
  type Begun,
  type PreparedRequest,
  type TrainingRuntime,
} from './launch';
import { recordSources, taskSources } from './sources';
import type { ResolvedTrainingRequest, RunIdInput, TrainingRequest } from './schemas';
import type { TrainingOutcome, TrainingStarted } from './types';

export type { TrainingRuntime } from './launch';

/**
 * Checks the request (see trainingPlan's refusals), prepares the dataset's train/dev examples, creates the run
 * row and starts the worker. Resolves once training has started; follow it through `onEvent`, wait with
 * `waitForTraining`, stop it with `cancelTraining`. Only one training runs per process.
 */
export async function startTraining(
  db: Db,
  request: TrainingRequest,
  runtime: TrainingRuntime = {},
): Promise<TrainingStarted> {
  return (await begin(db, request, runtime)).started;
}

/** startTraining, then waits for the end (CLI and tests). */
export async function runTraining(
  db: Db,
  request: TrainingRequest,
  runtime: TrainingRuntime = {},
): Promise<TrainingOutcome> {
  return (await begin(db, request, runtime)).done;
}

async function begin(db: Db, asked: TrainingRequest, runtime: TrainingRuntime): Promise<Begun> {
  // A hub repo id trains from its snapshot in the cache (recorded as that folder, so the run can be resumed and
  // reproduced offline); the run's default name keeps the repo id.
  const local = resolveLocalModel(asked.modelDir);
  const label = local.repoId ?? basename(resolve(local.dir));
  const request: TrainingRequest = { ...asked, modelDir: local.dir };
  return withSlot(async (slot) => {
    const prepared = await prepareRequest(db, request);
    const { run, job } = createRunJob(db, request, prepared, request.name ?? `${request.preset} ${label}`, runtime);
    return launch(db, slot, run, job, prepared, runtime);
  });
}

/** How a learning curve's share differs from a plain run: fewer train examples, its own epochs, its curve. */
export interface RunShare {
  readonly train: readonly TrainExample[];
  /** The epochs this share trains (the preset's recipe for its size, unless the request fixed them). */
  readonly epochs: number;
  readonly curve: { readonly id: number; readonly fraction: number };
}

/**
 * Creates the run row of a prepared request (settings, sources, snapshot hash) and the worker job that trains
 * it; a learning curve passes the share it trains. Does not start anything.
 */
export function createRunJob(
  db: Db,
  request: TrainingRequest,
  prepared: PreparedRequest,
  name: string,
  runtime: TrainingRuntime,
  share?: RunShare,
): { readonly run: Run; readonly job: TrainJob } {
  const { plan, nerTags, dataHash } = prepared;
  // The plan's request has the preset's recipe filled in: the run is stored and trained with it.
  const resolved = share ? { ...plan.request, epochs: share.epochs } : plan.request;
  const train = share?.train ?? prepared.train.examples;
  const config = trainerConfig(resolved);
  const run = createRun(db, {
    projectId: request.projectId,
    name,
    config: {
      request: resolved,
      trainer: config,
      datasetId: request.datasetId,
      classLabels: plan.classLabels,
      nerTags,
      counts: share ? { ...plan.counts, train: train.length } : plan.counts,
      ...(share && { curve: share.curve }),
    },
    preset: request.preset,
    modelPath: resolve(request.modelDir),
    dataHash,
    deviceRequested: request.device,
  });
  recordSources(db, run.id, taskSources(request), plan.tasks);
  const job: TrainJob = {
    modelDir: request.modelDir,
    train,
    dev: prepared.dev.examples,
    classLabels: plan.classLabels,
    nerTags,
    config,
    outDir: runOutDir(db, run.id, runtime),
    resume: false,
    checkpointEverySec: request.checkpointEverySec,
    provenance: {
      runId: run.id,
      datasetId: request.datasetId,
      dataHash,
      preset: request.preset,
      model: run.modelPath,
    },
  };
  return { run, job };
}

/** Resolves when the given run ends; for a run not training in this process, at once with its stored row. */
export async function waitForTraining(db: Db, { runId }: RunIdInput): Promise<TrainingOutcome> {
  return completionOf(runId) ?? { run: getRun(db, runId), result: null };
}

/** Asks the active run to stop; it ends within one optimizer step with status 'cancelled'. */
export function cancelTraining(db: Db, { runId }: RunIdInput): { readonly runId: number } {
  const run = getRun(db, runId);
  if (!abortRun(runId)) {
    throw new ServiceError(
      'conflict',
      `Run ${runId} is ${run.status} and not training in this app, so there is nothing to cancel.`,
    );
  }
  return { runId };
}

/** The trainer configuration a request maps to (stored with the run, so it can be reproduced and diffed). */
export function trainerConfig(r: ResolvedTrainingRequest): TrainerConfigInput {
  return {
    freeze: { preset: r.preset, freezeEmbeddings: r.freezeEmbeddings, freezeBottomLayers: r.freezeBottomLayers },
    epochs: r.epochs,
    maxSteps: r.maxSteps,
    batchSize: r.batchSize,
    gradAccumulation: r.gradAccumulation,
    embeddingUpdates: r.embeddingUpdates,
    maxLength: r.maxLength,
    lr: r.lr,
    lossWeights: r.taskWeights,
    taskWeighting: r.taskWeighting,
    evalEverySteps: r.evalEverySteps,
    // Only when asked: runs stored before the option keep byte-identical configs.
    ...(r.selectMetric !== 'auto' && { selectMetric: r.selectMetric }),
    device: r.device,
    featureCache: r.featureCache,
    seed: r.seed,
    ...(r.threads !== undefined && { threads: r.threads }),
  };
}
