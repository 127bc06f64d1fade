// Training a learning curve in the app: one ordinary run per share of the request's train examples, one after
// the other in the process's training slot, recorded as a curve whose points link those runs.
import { basename, resolve } from 'node:path';
import type { Db } from '../../store/db';
import {
  createCurve,
  endCurve,
  getCurve,
  putCurvePoint,
  type CurveStatus,
  type StoredCurve,
} from '../../store/repos/curves';
import type { TrainExample } from '../../engine/trainer';
import { ServiceError } from '../api/errors';
import { resolveLocalModel } from '../models';
import { activeRunId, abortRun, claimSlotOrRefuse } from '../train/active';
import { launch, prepareRequest, type PreparedRequest, type TrainingRuntime } from '../train/launch';
import { resolveRecipe } from '../train/recipe';
import { createRunJob } from '../train/start';
import type { TrainingRequest } from '../train/schemas';
import type { CurveIdInput, StartCurveInput } from './schemas';
import { pickShare, shareGroups, shareName, shareProblems } from './shares';

/** A curve's status changed or one of its points moved (a share started or ended). */
export interface CurveEvent {
  readonly type: 'curve';
  readonly curveId: number;
  readonly status: CurveStatus;
}

export interface CurveRuntime extends TrainingRuntime {
  readonly onCurve?: (event: CurveEvent) => void;
}

/** A curve that has started: its row now, and its end (the final row; rejects only if that cannot be stored). */
export interface CurveStarted {
  readonly curve: StoredCurve;
  readonly done: Promise<StoredCurve>;
}

let active: number | null = null;

/** The curve this process is training, or null. */
export function activeCurveId(): number | null {
  return active;
}

/**
 * Checks the request as a start does (plan refusals), then that every share can train (see shareProblems),
 * creates the curve and starts its first share. Resolves once it runs; the shares follow one another, each a
 * run of its own. Holds the training slot until the last share ends, so no other training slips in between.
 */
export async function startCurve(db: Db, input: StartCurveInput, runtime: CurveRuntime = {}): Promise<CurveStarted> {
  const local = resolveLocalModel(input.request.modelDir);
  const request: TrainingRequest = { ...input.request, modelDir: local.dir };
  const fractions = [...new Set(input.fractions)].sort((a, b) => a - b);
  const slot = claimSlotOrRefuse(
    'A learning curve (it holds training until its last share ends; cancel it under Runs > Learning curves)',
  );
  try {
    const prepared = await prepareRequest(db, request);
    const train = prepared.train.examples;
    const problems = shareProblems(train, fractions, request.batchSize, prepared.plan.classLabels, request.seed);
    if (problems.length > 0)
      throw new ServiceError(
        'invalid_input',
        `The learning curve cannot train every share: ${problems.join('; ')}. Use larger shares, more labelled data, or a smaller batch size.`,
        problems,
      );
    const name = input.name ?? `Learning curve: ${request.preset} ${local.repoId ?? basename(resolve(local.dir))}`;
    const curve = createCurve(db, {
      projectId: request.projectId,
      name,
      origin: 'app',
      settings: { ...input.request, fractions },
      fractions,
      devExamples: prepared.plan.counts.dev,
      status: 'running',
    });
    active = curve.id;
    // launch() releases the slot it is given when a run ends: the curve keeps it until its last share.
    const held = { signal: slot.signal, attach: slot.attach, release: (): void => {} };
    const done = trainShares(db, curve, request, prepared, fractions, held, runtime).finally(() => {
      active = null;
      slot.release();
    });
    done.catch((err: unknown) => console.error(`[mts] learning curve ${curve.id} could not be recorded:`, err));
    return { curve: getCurve(db, curve.id), done };
  } catch (err) {
    slot.release();
    throw err;
  }
}

type HeldSlot = Parameters<typeof launch>[1];

async function trainShares(
  db: Db,
  curve: StoredCurve,
  request: TrainingRequest,
  prepared: PreparedRequest,
  fractions: readonly number[],
  slot: HeldSlot,
  runtime: CurveRuntime,
): Promise<StoredCurve> {
  const emit = (status: CurveStatus): void => {
    try {
      runtime.onCurve?.({ type: 'curve', curveId: curve.id, status });
    } catch (err) {
      console.error(`[mts] learning curve event listener failed on curve ${curve.id}:`, err);
    }
  };
  const end = (status: Exclude<CurveStatus, 'running'>, error: string | null): StoredCurve => {
    endCurve(db, curve.id, status, error);
    emit(status);
    return getCurve(db, curve.id);
  };
  try {
    for (const fraction of fractions) {
      if (slot.signal.aborted) return end('cancelled', null);
      const share = pickShare(prepared.train.examples, fraction, request.seed);
      const { run, job } = createRunJob(db, request, prepared, `${curve.name} · ${shareName(fraction)}`, runtime, {
        train: share,
        epochs: shareEpochs(request, share),
        curve: { id: curve.id, fraction },
      });
      const point = { fraction, trainExamples: share.length, runId: run.id };
      putCurvePoint(db, curve.id, { ...point, accuracy: null, nerF1: null });
      emit('running');
      const outcome = await launch(db, slot, run, job, prepared, runtime).done;
      // Only a finished share is a point of the curve: a cancelled one's best-so-far would read as its size's result.
      if (outcome.run.status === 'cancelled') return end('cancelled', null);
      const best = outcome.run.status === 'completed' ? outcome.result?.best.metrics : undefined;
      putCurvePoint(db, curve.id, {
        ...point,
        accuracy: best?.classification?.accuracy ?? null,
        nerF1: best?.ner?.f1 ?? null,
      });
      if (outcome.run.status !== 'completed')
        return end(
          'failed',
          `The ${shareName(fraction)} share (run ${run.id}) ended ${outcome.run.status}${outcome.run.error ? `: ${outcome.run.error}` : ''}.`,
        );
      emit('running');
    }
  } catch (err) {
    // The curve says why it stopped (a database or disk error): left 'running', it would later read as a process
    // that died.
    try {
      end('failed', `The learning curve stopped: ${err instanceof Error ? err.message : String(err)}`);
    } catch (recordErr) {
      console.error(`[mts] learning curve ${curve.id}: its failure could not be recorded:`, recordErr);
    }
    throw err;
  }
  return end('completed', null);
}

/** The request's epochs, or the preset's recipe for this share's size (as `mts curve` does without --epochs). */
function shareEpochs(request: TrainingRequest, share: readonly TrainExample[]): number {
  if (request.epochs !== undefined) return request.epochs;
  return resolveRecipe(request, {
    groups: shareGroups(share),
    batchSize: request.batchSize,
    gradAccumulation: request.gradAccumulation,
  }).epochs;
}

/** Stops the curve this process trains: its current share ends cancelled within one step, and no share follows. */
export function cancelCurve(db: Db, { curveId }: CurveIdInput): { readonly curveId: number } {
  const curve = getCurve(db, curveId);
  const runId = activeRunId();
  if (active !== curveId || runId === null || !abortRun(runId))
    throw new ServiceError(
      'conflict',
      `Learning curve "${curve.name}" is ${curve.status} and not training in this app, so there is nothing to cancel.`,
    );
  return { curveId };
}
