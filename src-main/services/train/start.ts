// Starting, following and cancelling a training run from the store's data (the app's Train button).
import { basename, dirname, join, resolve } from 'node:path';
import { prepareExamples, type LabelledText, type PreparedExamples } from '../../data/prepare';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import {
  trainInWorker,
  TrainingFailedError,
  type TrainerConfigInput,
  type TrainEvent,
  type TrainExample,
  type TrainJob,
  type TrainResult,
  type WorkerRunOptions,
} from '../../engine/train';
import type { Db } from '../../store/db';
import { addArtifact, createRun, getRun, updateRunStatus } from '../../store/repos/runs';
import type { Run, RunStatus } from '../../store/types';
import { guard, guardAsync, parseInput, ServiceError, unwrap, type Result } from '../errors';
import { dataSnapshotHash } from '../runs';
import { abortRun, claimSlot, completionOf } from './active';
import { folderDigest } from './artifacts';
import { buildPlan } from './plan';
import { MetricRecorder } from './recorder';
import { RunIdInput, TrainingRequest } from './schemas';
import type { TrainingOutcome, TrainingServiceEvent, TrainingStarted } from './types';

export interface TrainingRuntime {
  readonly onEvent?: (event: TrainingServiceEvent) => void;
  /** Each run writes to <runsDir>/run-<id>; default: a `runs` folder beside the database file. */
  readonly runsDir?: string;
  /** Worker entry override (tests, packaged builds); default: the engine's train-worker. */
  readonly workerScript?: WorkerRunOptions['script'];
}

/**
 * Checks the request (see trainingPlan's refusals), prepares the dataset's train/dev examples, creates the run
 * row and starts the worker. Resolves once training has started; follow it through `onEvent`, wait with
 * `waitForTraining`, stop it with `cancelTraining`. Only one training runs per process.
 */
export async function startTraining(
  db: Db,
  input: unknown,
  runtime: TrainingRuntime = {},
): Promise<Result<TrainingStarted>> {
  return guardAsync(async () => (await begin(db, input, runtime)).started);
}

/** startTraining, then waits for the end (CLI and tests). */
export async function runTraining(
  db: Db,
  input: unknown,
  runtime: TrainingRuntime = {},
): Promise<Result<TrainingOutcome>> {
  const begun = await guardAsync(() => begin(db, input, runtime));
  return begun.ok ? begun.value.done : begun;
}

interface Begun {
  readonly started: TrainingStarted;
  readonly done: Promise<Result<TrainingOutcome>>;
}

async function begin(db: Db, input: unknown, runtime: TrainingRuntime): Promise<Begun> {
  const request = parseInput(TrainingRequest, input, 'training request');
  const slot = claimSlot();
  if (!slot)
    throw new ServiceError(
      'conflict',
      'A training is already running in this app; only one runs at a time. Wait for it to finish or cancel it.',
    );
  try {
    const { plan, data, nerTags } = buildPlan(db, request);
    if (plan.refusals.length > 0) {
      throw new ServiceError('invalid_input', `The run cannot start:\n- ${plan.refusals.join('\n- ')}`, plan.refusals);
    }
    const tokenizer = WordPieceTokenizer.fromDir(request.modelDir);
    const opts = { classLabels: plan.classLabels, nerTags, maxLength: request.maxLength, hasNer: plan.tasks.ner };
    const train = await prepareInChunks(data.train, tokenizer, opts);
    const dev = await prepareInChunks(data.dev, tokenizer, opts);
    const dataHash = unwrap(dataSnapshotHash(db, { datasetIds: [request.datasetId] }));
    const config = trainerConfig(request);
    const run = createRun(db, {
      projectId: request.projectId,
      name: request.name ?? `${request.preset} ${basename(resolve(request.modelDir))}`,
      config: {
        request,
        trainer: config,
        datasetId: request.datasetId,
        classLabels: plan.classLabels,
        nerTags,
        counts: plan.counts,
      },
      preset: request.preset,
      modelPath: resolve(request.modelDir),
      dataHash,
      deviceRequested: request.device,
    });
    const outDir = join(runtime.runsDir ?? defaultRunsDir(db), `run-${run.id}`);
    const job: TrainJob = {
      modelDir: request.modelDir,
      train: train.examples,
      dev: dev.examples,
      classLabels: plan.classLabels,
      nerTags,
      config,
      outDir,
      resume: false,
      provenance: {
        runId: run.id,
        datasetId: request.datasetId,
        dataHash,
        preset: request.preset,
        model: run.modelPath,
      },
    };
    const done = follow(db, run.id, job, slot.signal, runtime).finally(() => slot.release());
    slot.attach(run.id, done);
    return { started: { run, plan, outDir, truncated: train.truncated + dev.truncated }, done };
  } catch (err) {
    slot.release();
    throw err;
  }
}

/** Resolves when the given run ends; for a run not training in this process, at once with its stored row. */
export async function waitForTraining(db: Db, input: unknown): Promise<Result<TrainingOutcome>> {
  const parsed = guard(() => parseInput(RunIdInput, input, 'waitForTraining input').runId);
  if (!parsed.ok) return parsed;
  return completionOf(parsed.value) ?? guard(() => ({ run: getRun(db, parsed.value), result: null }));
}

/** Asks the active run to stop; it ends within one optimizer step with status 'cancelled'. */
export function cancelTraining(db: Db, input: unknown): Result<{ readonly runId: number }> {
  return guard(() => {
    const { runId } = parseInput(RunIdInput, input, 'cancelTraining input');
    const run = getRun(db, runId);
    if (!abortRun(runId)) {
      throw new ServiceError(
        'conflict',
        `Run ${runId} is ${run.status} and not training in this app, so there is nothing to cancel.`,
      );
    }
    return { runId };
  });
}

/** The trainer configuration a request maps to (stored with the run, so it can be reproduced and diffed). */
export function trainerConfig(r: TrainingRequest): TrainerConfigInput {
  return {
    freeze: { preset: r.preset, freezeEmbeddings: r.freezeEmbeddings, freezeBottomLayers: r.freezeBottomLayers },
    epochs: r.epochs,
    maxSteps: r.maxSteps,
    batchSize: r.batchSize,
    maxLength: r.maxLength,
    lr: r.lr,
    lossWeights: r.taskWeights,
    evalEverySteps: r.evalEverySteps,
    device: r.device,
    seed: r.seed,
    ...(r.threads !== undefined && { threads: r.threads }),
  };
}

function defaultRunsDir(db: Db): string {
  if (db.memory || db.name === '') {
    throw new ServiceError(
      'invalid_input',
      'The database is in memory, so there is no folder for run files; pass runsDir.',
    );
  }
  return join(dirname(db.name), 'runs');
}

// Tokenising a large dataset takes seconds: yield between chunks so the UI's event loop keeps answering.
async function prepareInChunks(
  items: readonly LabelledText[],
  tokenizer: WordPieceTokenizer,
  options: Parameters<typeof prepareExamples>[2],
): Promise<PreparedExamples> {
  const examples: TrainExample[] = [];
  const unknownTypes: Record<string, number> = {};
  let truncated = 0;
  for (let i = 0; i < items.length; i += 2000) {
    const part = prepareExamples(items.slice(i, i + 2000), tokenizer, options);
    examples.push(...part.examples);
    truncated += part.truncated;
    for (const [t, n] of Object.entries(part.unknownTypes)) unknownTypes[t] = (unknownTypes[t] ?? 0) + n;
    await new Promise<void>((r) => setImmediate(r));
  }
  return { examples, truncated, unknownTypes };
}

// Runs the worker, persisting events as they come; never rejects (the outcome is a Result).
async function follow(
  db: Db,
  runId: number,
  job: TrainJob,
  signal: AbortSignal,
  runtime: TrainingRuntime,
): Promise<Result<TrainingOutcome>> {
  const t0 = performance.now();
  const recorder = new MetricRecorder(db, runId);
  const emit = (e: TrainingServiceEvent): void => {
    try {
      runtime.onEvent?.(e);
    } catch (err) {
      // A broken listener (a closed window) must not stop the training; it is reported, not hidden.
      console.error(`[mts] training event listener failed on ${e.type} of run ${runId}:`, err);
    }
  };
  // Progress that cannot be stored (disk full, database closed) stops the run: it would be unrecorded work.
  const halt = new AbortController();
  let persistError: unknown = null;
  const setStatus = (status: RunStatus, extra: Omit<Parameters<typeof updateRunStatus>[2], 'status'> = {}): Run => {
    const run = updateRunStatus(db, runId, { status, ...extra });
    emit({ type: 'status', runId, status, ...(extra.error !== undefined && { error: extra.error }) });
    return run;
  };
  const onEvent = (event: TrainEvent): void => {
    try {
      if (event.type === 'started') {
        const reasons = event.device.notUsed.map((n) => `${n.device}: ${n.reason}`).join('; ');
        setStatus('running', {
          deviceUsed: event.device.used,
          ...(reasons !== '' && { deviceReason: reasons }),
          timings: { startupSec: (performance.now() - t0) / 1000 },
        });
      }
      recorder.onEvent(event);
    } catch (err) {
      persistError ??= err;
      halt.abort();
    }
    emit({ type: 'train', runId, event });
  };
  const fail = (message: string): TrainingOutcome => ({
    run: setStatus('failed', { error: message, timings: { totalSec: (performance.now() - t0) / 1000 } }),
    result: null,
  });
  const persistMessage = (): string =>
    `Training stopped because its progress could not be saved: ${persistError instanceof Error ? persistError.message : String(persistError)}. Check free disk space and that the project database is writable.`;
  return guardAsync(async () => {
    let result: TrainResult;
    try {
      result = await trainInWorker(job, {
        onEvent,
        signal: AbortSignal.any([signal, halt.signal]),
        ...(runtime.workerScript && { script: runtime.workerScript }),
      });
    } catch (err) {
      recorder.flush();
      if (persistError !== null) return fail(persistMessage());
      const message =
        err instanceof TrainingFailedError
          ? `${err.causeName}: ${err.message}`
          : err instanceof Error
            ? err.message
            : String(err);
      return fail(message);
    }
    if (persistError !== null) return fail(persistMessage());
    recorder.flush();
    if (result.bestCheckpoint)
      addArtifact(db, {
        runId,
        kind: 'checkpoint',
        path: result.bestCheckpoint,
        ...folderDigest(result.bestCheckpoint),
      });
    const timings = { trainSec: result.seconds, totalSec: (performance.now() - t0) / 1000, steps: result.steps };
    const run = setStatus(result.status === 'cancelled' ? 'cancelled' : 'completed', {
      deviceUsed: result.device.used,
      timings,
    });
    return { run, result };
  });
}
