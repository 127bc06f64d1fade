// What starting and resuming a training share: preparing a request's data, and running the worker for a run
// row while recording its events, status and checkpoint.
import { dirname, join } from 'node:path';
import { prepareExamples, type LabelledText, type PreparedExamples } from '../../data/prepare';
import { silverWeightRanges } from '../../data/silver';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import {
  trainInWorker,
  TrainingFailedError,
  type TrainEvent,
  type TrainExample,
  type TrainJob,
  type TrainResult,
  type WorkerRunOptions,
} from '../../engine/trainer';
import type { Db } from '../../store/db';
import { updateRunStatus } from '../../store/repos/runs';
import type { Run, RunStatus } from '../../store/types';
import { ServiceError } from '../api/errors';
import { dataSnapshotHash } from '../runs';
import { type claimSlot, claimSlotOrRefuse } from './active';
import { folderDigest } from './artifacts';
import { trainingExamples, type ExampleGroup } from './data';
import { buildPlan, type TrainingPlan } from './plan';
import { sourceDatasetIds } from './sources';
import { MetricRecorder } from './recorder';
import { recordCheckpoint } from '../../store/repos/run-resume';
import type { TrainingRequest } from './schemas';
import type { TrainingOutcome, TrainingServiceEvent, TrainingStarted } from './types';

export interface TrainingRuntime {
  readonly onEvent?: (event: TrainingServiceEvent) => void;
  /** Each run writes to <runsDir>/run-<id>; default: a `runs` folder beside the database file. */
  readonly runsDir?: string;
  /** Worker entry override (tests, packaged builds); default: the engine's train-worker. */
  readonly workerScript?: WorkerRunOptions['script'];
}

/** A training that has started: what the caller is told at once, and its end. */
export interface Begun {
  readonly started: TrainingStarted;
  /** Rejects only when the run's end cannot be recorded (database closed); the failure is logged too. */
  readonly done: Promise<TrainingOutcome>;
}

/** A request's plan and tokenised train/dev examples, with the dataset's snapshot hash taken now. */
export interface PreparedRequest {
  readonly plan: TrainingPlan;
  readonly nerTags: readonly string[];
  readonly train: PreparedExamples;
  readonly dev: PreparedExamples;
  readonly dataHash: string;
}

type Slot = NonNullable<ReturnType<typeof claimSlot>>;

/**
 * Claims the process's one training slot, runs `begin` with it and releases the slot if `begin` throws
 * (on success the started run releases it when it ends).
 */
export async function withSlot(begin: (slot: Slot) => Promise<Begun>): Promise<Begun> {
  const slot = claimSlotOrRefuse();
  try {
    return await begin(slot);
  } catch (err) {
    slot.release();
    throw err;
  }
}

/** Builds the plan (refusing with its reasons), tokenises the dataset's train and dev splits, hashes the data. */
export async function prepareRequest(db: Db, request: TrainingRequest): Promise<PreparedRequest> {
  const { plan, data, sources, nerTags } = buildPlan(db, request);
  if (plan.refusals.length > 0) {
    throw new ServiceError('invalid_input', `The run cannot start:\n- ${plan.refusals.join('\n- ')}`, plan.refusals);
  }
  const tokenizer = WordPieceTokenizer.fromDir(request.modelDir);
  const groups = trainingExamples(sources, data, plan.tasks);
  // Each group teaches only its tasks: classification examples get no NER labels, NER examples no class.
  const prepare = async (list: readonly ExampleGroup[]): Promise<PreparedExamples> => {
    const parts: PreparedExamples[] = [];
    for (const g of list) {
      const opts = {
        classLabels: g.classification ? plan.classLabels : [],
        nerTags,
        maxLength: request.maxLength,
        hasNer: g.ner,
      };
      parts.push(await prepareInChunks(g.examples, tokenizer, opts));
    }
    return mergePrepared(parts);
  };
  const train = await prepare(withSilverWeights(groups.train, request.silverMinConfidence));
  const dev = await prepare(groups.dev);
  const dataHash = dataSnapshotHash(db, { datasetIds: sourceDatasetIds(sources, plan.tasks) });
  return { plan, nerTags, train, dev, dataHash };
}

/** The folder a run writes to: <runsDir>/run-<id>. */
export function runOutDir(db: Db, runId: number, runtime: TrainingRuntime): string {
  return join(runtime.runsDir ?? defaultRunsDir(db), `run-${runId}`);
}

/**
 * Starts the worker for a run row (status 'queued'), attaching it to the claimed slot. `complete` may amend
 * the trainer's result before it is recorded (resume merges the evaluations made before the resume point).
 */
export function launch(
  db: Db,
  slot: Slot,
  run: Run,
  job: TrainJob,
  prepared: PreparedRequest,
  runtime: TrainingRuntime,
  complete: (result: TrainResult) => TrainResult = (r) => r,
): Begun {
  const done = follow(db, run.id, job, slot.signal, runtime, complete).finally(() => slot.release());
  // Nobody may be waiting for the end (the UI follows events): a failure to record it must not become an
  // unhandled rejection that ends the process. Callers of waitForTraining still get the error.
  done.catch((err: unknown) => console.error(`[mts] run ${run.id} ended but could not be recorded:`, err));
  slot.attach(run.id, done);
  return {
    started: {
      run,
      plan: prepared.plan,
      outDir: job.outDir,
      truncated: prepared.train.truncated + prepared.dev.truncated,
    },
    done,
  };
}

/**
 * Train groups with NER weights from their pending silver spans' confidence: below `min`, weight 0 (ignored in
 * the NER loss). Spans without a stored confidence (labelled before it was kept) and reviewed spans weigh 1.
 */
function withSilverWeights(groups: readonly ExampleGroup[], min: number): ExampleGroup[] {
  if (min <= 0) return [...groups];
  return groups.map((g) =>
    !g.ner
      ? g
      : {
          ...g,
          examples: g.examples.map((e) => {
            const spans = (e.silverConfidence ?? []).map((c) => ({
              ...c,
              type: '',
              source: 'silver' as const,
              labeler: '',
            }));
            const ranges = silverWeightRanges({ spans, unsure: [] }, { minConfidence: min, weights: 'ignore' });
            return ranges.length === 0 ? e : { ...e, nerWeights: ranges };
          }),
        },
  );
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
function mergePrepared(parts: readonly PreparedExamples[]): PreparedExamples {
  const unknownTypes: Record<string, number> = {};
  for (const p of parts)
    for (const [t, n] of Object.entries(p.unknownTypes)) unknownTypes[t] = (unknownTypes[t] ?? 0) + n;
  return {
    examples: parts.flatMap((p) => p.examples),
    truncated: parts.reduce((n, p) => n + p.truncated, 0),
    unknownTypes,
  };
}

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
// Runs the worker, persisting events as they come; a failed training resolves as a failed run, and it rejects
// only when the outcome itself cannot be stored.
async function follow(
  db: Db,
  runId: number,
  job: TrainJob,
  signal: AbortSignal,
  runtime: TrainingRuntime,
  complete: (result: TrainResult) => TrainResult,
): Promise<TrainingOutcome> {
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
      // Recorded as it is written, not only when the run ends: a run whose process dies still shows its best.
      if (event.type === 'checkpoint' && event.best) recordCheckpoint(db, runId, event.path, folderDigest(event.path));
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
  let result: TrainResult;
  try {
    result = complete(
      await trainInWorker(job, {
        onEvent,
        signal: AbortSignal.any([signal, halt.signal]),
        ...(runtime.workerScript && { script: runtime.workerScript }),
      }),
    );
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
  // A resumed run saves to the same best/ folder: its row is replaced, not added twice.
  if (result.bestCheckpoint) recordCheckpoint(db, runId, result.bestCheckpoint, folderDigest(result.bestCheckpoint));
  const timings = { trainSec: result.seconds, totalSec: (performance.now() - t0) / 1000, steps: result.steps };
  const run = setStatus(result.status === 'cancelled' ? 'cancelled' : 'completed', {
    deviceUsed: result.device.used,
    timings,
  });
  return { run, result };
}
