// Resuming a stopped run (cancelled, failed, or left 'running' by a killed app) from its run folder's resume
// state, with the run's stored settings and the same dataset: it ends as the uninterrupted run would have.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  trainerConfigSchema,
  type TrainerConfigInput,
  type TrainJob,
  type TrainResult,
  resumeInfoSchema,
} from '../../engine/trainer';
import type { Db } from '../../store/db';
import { reopenRun } from '../../store/repos/run-resume';
import { getRun, processAlive } from '../../store/repos/runs';
import type { Run, RunStatus } from '../../store/types';
import { ServiceError } from '../api/errors';
import { dataSnapshotHash } from '../runs';
import { activeRunId } from './active';
import { launch, prepareRequest, runOutDir, withSlot, type Begun, type TrainingRuntime } from './launch';
import { TrainingRequest, type RunIdInput } from './schemas';
import { sourceDatasetIds, taskSources } from './sources';
import type { TrainingStarted } from './types';

/** Statuses a run can be resumed from ('running'/'queued' only when no process trains it: checked below). */
const RESUMABLE: readonly RunStatus[] = ['cancelled', 'failed', 'interrupted', 'running', 'queued'];

/**
 * Resumes a cancelled, failed or interrupted run (or one left 'running' by an app that was killed) from
 * <run folder>/resume. Refuses a completed run, one training now, one without a run folder or resume state,
 * and one whose dataset changed since it started. Resolves once training has started again; it then reports
 * and ends exactly like a run from startTraining (status 'running', then its end status).
 */
export async function resumeTraining(
  db: Db,
  input: RunIdInput,
  runtime: TrainingRuntime = {},
): Promise<TrainingStarted> {
  return (await beginResume(db, input, runtime)).started;
}

const StoredConfig = z.looseObject({
  request: z.unknown(),
  trainer: z.unknown(),
  classLabels: z.array(z.string()).default([]),
  nerTags: z.array(z.string()).default([]),
});

// A share of a learning curve (services/curves) trains on a subset that resume would not rebuild.
const CurveShare = z.looseObject({ curve: z.object({ id: z.number(), fraction: z.number() }) });

async function beginResume(db: Db, { runId }: RunIdInput, runtime: TrainingRuntime): Promise<Begun> {
  const run = getRun(db, runId);
  checkResumable(run);
  const share = CurveShare.safeParse(run.config);
  if (share.success)
    throw new ServiceError(
      'conflict',
      `Run ${runId} is the ${Math.round(100 * share.data.curve.fraction)} % share of learning curve ${share.data.curve.id}; ` +
        'resumed alone it would leave the curve without its later shares. Start the learning curve again on the Runs screen.',
    );
  const { request, trainer } = storedSettings(run);
  const outDir = runOutDir(db, runId, runtime);
  const resumedStep = resumeStep(run, outDir);
  // The datasets the run's tasks read, as startTraining hashed them.
  const labels = StoredConfig.parse(run.config);
  const tasks = { classification: labels.classLabels.length > 0, ner: labels.nerTags.length > 0 };
  const dataHash = dataSnapshotHash(db, { datasetIds: sourceDatasetIds(taskSources(request), tasks) });
  if (dataHash !== run.dataHash) {
    throw new ServiceError(
      'conflict',
      `The dataset of run ${runId} changed since the run started (its labels, texts or split were edited), so ` +
        'resuming would train on different data than the steps already done. Start a new run instead; its checkpoint can be the model folder.',
    );
  }
  return withSlot(async (slot) => {
    const prepared = await prepareRequest(db, request);
    const reopened = reopenRun(db, runId, run.status, resumedStep);
    const job: TrainJob = {
      modelDir: request.modelDir,
      train: prepared.train.examples,
      dev: prepared.dev.examples,
      classLabels: prepared.plan.classLabels,
      nerTags: prepared.nerTags,
      config: trainer,
      outDir,
      resume: true,
      checkpointEverySec: request.checkpointEverySec,
      provenance: {
        runId,
        datasetId: request.datasetId,
        dataHash: prepared.dataHash,
        preset: request.preset,
        model: run.modelPath,
      },
    };
    const before = readMetricsFile(outDir);
    return launch(db, slot, reopened, job, prepared, runtime, (result) =>
      mergeEarlierResult(outDir, before, resumedStep, result),
    );
  });
}

function checkResumable(run: Run): void {
  if (activeRunId() === run.id)
    throw new ServiceError('conflict', `Run ${run.id} is training now; there is nothing to resume.`);
  if (run.status === 'completed')
    throw new ServiceError(
      'conflict',
      `Run ${run.id} completed, so there is nothing to resume. To train further, start a new run with its checkpoint as the model folder.`,
    );
  if (!RESUMABLE.includes(run.status))
    throw new ServiceError('conflict', `Run ${run.id} is ${run.status} and cannot be resumed.`);
  const live = run.status === 'running' || run.status === 'queued';
  if (live && run.ownerPid !== null && run.ownerPid !== process.pid && processAlive(run.ownerPid)) {
    throw new ServiceError(
      'conflict',
      `Run ${run.id} is being trained by another process (pid ${run.ownerPid}); stop that process before resuming it here.`,
    );
  }
}

// The request and trainer config stored by startTraining; the model folder is the resolved one it recorded. The
// trainer config goes to the trainer as stored, not parsed: an option it leaves unset keeps, on resume, what the
// run trained with (a default that changed since must not switch a run half-way), which the trainer reads from
// the run folder.
function storedSettings(run: Run): { readonly request: TrainingRequest; readonly trainer: TrainerConfigInput } {
  const stored = StoredConfig.safeParse(run.config);
  const request = stored.success ? TrainingRequest.safeParse(stored.data.request) : null;
  const trainer = stored.success ? trainerConfigSchema.safeParse(stored.data.trainer) : null;
  if (!stored.success || !request?.success || !trainer?.success) {
    throw new ServiceError(
      'conflict',
      `Run ${run.id} was not started from the Train screen of this app (its stored settings are not a training request), so it cannot be resumed here; resume it with the tool that started it.`,
    );
  }
  return { request: { ...request.data, modelDir: run.modelPath }, trainer: stored.data.trainer as TrainerConfigInput };
}

// The optimizer step the resume state holds; refuses with where it looked when there is none.
function resumeStep(run: Run, outDir: string): number {
  if (!existsSync(outDir)) {
    throw new ServiceError(
      'not_found',
      `Run ${run.id} cannot be resumed: its run folder ${outDir} is missing (moved or deleted). Start a new run with the same settings.`,
    );
  }
  const dir = join(outDir, 'resume');
  const file = [join(dir, 'state.json'), ...setAside(dir)].find((f) => existsSync(f));
  if (file === undefined) {
    throw new ServiceError(
      'not_found',
      `Run ${run.id} cannot be resumed: it has no resume state at ${join(dir, 'state.json')} (it stopped before its first save, which happens at each epoch end and on cancel). Start a new run with the same settings.`,
    );
  }
  const info = resumeInfoSchema.safeParse(readJson(file));
  if (!info.success) {
    throw new ServiceError(
      'conflict',
      `Run ${run.id} cannot be resumed: ${file} is damaged (${info.error.issues[0]!.message}). Start a new run with the same settings.`,
    );
  }
  return info.data.step;
}

// The engine swaps resume folders by rename; a crash between the two renames leaves the state set aside.
function setAside(dir: string): string[] {
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}.tmp-`;
  return readdirSync(parent)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.old'))
    .sort()
    .reverse()
    .map((n) => join(parent, n, 'state.json'));
}

// Unparseable JSON counts as damaged, like a schema mismatch.
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

// metrics.json of the run's earlier part (written when it stopped); null when it has none.
function readMetricsFile(outDir: string): TrainResult | null {
  const v = readJson(join(outDir, 'metrics.json'));
  return v !== null && typeof v === 'object' && 'best' in v && 'history' in v ? (v as TrainResult) : null;
}

/**
 * The trainer only knows the evaluations it made after the resume point: put back the earlier ones, and the
 * best checkpoint's metrics when the best evaluation came before the resume (the Runs screen reads them from
 * metrics.json), and rewrite metrics.json to match.
 */
function mergeEarlierResult(
  outDir: string,
  before: TrainResult | null,
  resumedStep: number,
  result: TrainResult,
): TrainResult {
  if (before === null) return result;
  const history = [...before.history.filter((h) => h.step <= resumedStep), ...result.history];
  const earlierBest = before.best.metrics !== undefined && before.best.step === result.best.step;
  const best =
    result.best.metrics === undefined && earlierBest ? { ...result.best, metrics: before.best.metrics } : result.best;
  const bestCheckpoint = result.bestCheckpoint ?? before.bestCheckpoint;
  const merged: TrainResult = { ...result, history, best, bestCheckpoint };
  writeFileSync(join(outDir, 'metrics.json'), JSON.stringify(merged, null, 2));
  return merged;
}
