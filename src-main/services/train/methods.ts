/**
 * Wiring of the training service (services/train) to the contract: the pre-start plan, start, resume, cancel
 * and the active run. Training events become `train.progress` / `train.status` events for every connected UI.
 */
import { z } from 'zod';
import type { ApiEvent, TrainPlanInfo, TrainProgress, TrainSourceInfo } from '../../../src-preload/contract';
import type { TrainEvent } from '../../engine/trainer';
import type { DbHandle } from '../app/db';
import { getRun } from '../../store/repos/runs';
import { defineMethod, type MethodSlice } from '../api/methods';
import { datasetId, projectId, runId } from '../api/ids';
import { runInfoOf, toRunInfo } from '../runs';
import {
  activeRunId,
  cancelTraining,
  resumeTraining,
  RunIdInput,
  startTraining,
  trainingPlan,
  TrainingRequest,
  type PlanSource,
  type TrainingPlan,
  type TrainingServiceEvent,
} from '.';

/** Step events are sent at most this often; evaluations, checkpoints and the end are always sent. */
const STEP_EVENT_INTERVAL_MS = 150;

/** The contract's view of a plan: the resolved request with branded ids. */
export function toPlanInfo(plan: TrainingPlan): TrainPlanInfo {
  const { request, sources, recipe, ...rest } = plan;
  const { nerDatasetId, devDatasetId, nerDevDatasetId, ...common } = request;
  const source = (s: PlanSource): TrainSourceInfo => ({ ...s, datasetId: datasetId(s.datasetId) });
  const { lr, steps, minSteps, why } = recipe.recipe;
  return {
    ...rest,
    recipe: { ...recipe, recipe: { lr, steps, minSteps, why } },
    sources: {
      classification: { train: source(sources.classification.train), dev: source(sources.classification.dev) },
      ner: { train: source(sources.ner.train), dev: source(sources.ner.dev) },
    },
    settings: {
      ...common,
      projectId: projectId(request.projectId),
      datasetId: datasetId(request.datasetId),
      ...(nerDatasetId !== undefined && { nerDatasetId: datasetId(nerDatasetId) }),
      ...(devDatasetId !== undefined && { devDatasetId: datasetId(devDatasetId) }),
      ...(nerDevDatasetId !== undefined && { nerDevDatasetId: datasetId(nerDevDatasetId) }),
    },
  };
}

/** Engine events carry no ids and no typed arrays: they cross as they are. */
function toProgress(e: TrainEvent): TrainProgress {
  return e;
}

/**
 * Turns service events into API events. Tiny models take thousands of steps a second; the UI needs a few
 * points a second, and the full curve is in the store (`runs.curves`), so step events are thinned. The
 * last step of a run is always sent, so the charts end where the run ended.
 */
export function trainEventForwarder(
  emit: (event: ApiEvent) => void,
  now: () => number = performance.now.bind(performance),
): (e: TrainingServiceEvent) => void {
  let lastSent = Number.NEGATIVE_INFINITY;
  // The newest step not sent yet: it goes out before the next evaluation, checkpoint or end, so the UI's
  // counters match what those events report.
  let held: { readonly runId: number; readonly progress: TrainProgress } | null = null;
  const send = (id: number, progress: TrainProgress): void =>
    emit({ type: 'train.progress', runId: runId(id), progress });
  return (e) => {
    if (e.type === 'status') {
      if (held) send(held.runId, held.progress);
      held = null;
      emit({
        type: 'train.status',
        runId: runId(e.runId),
        status: e.status,
        ...(e.error !== undefined && { error: e.error }),
      });
      return;
    }
    const ev = toProgress(e.event);
    if (ev.type === 'step') {
      const t = now();
      if (t - lastSent < STEP_EVENT_INTERVAL_MS && ev.step < ev.totalSteps) {
        held = { runId: e.runId, progress: ev };
        return;
      }
      lastSent = t;
    } else if (held) {
      send(held.runId, held.progress);
    }
    held = null;
    send(e.runId, ev);
  };
}

type TrainMethods = 'train.plan' | 'train.start' | 'train.resume' | 'train.cancel' | 'train.active';

/** Builds the `train.*` methods over the database in `db`. */
export function trainMethods(db: DbHandle): MethodSlice<TrainMethods> {
  return {
    'train.plan': defineMethod('train.plan', TrainingRequest, async (input) =>
      toPlanInfo(trainingPlan(db.get(), input)),
    ),
    'train.start': defineMethod('train.start', TrainingRequest, async (input, ctx) => {
      const started = await startTraining(db.get(), input, { onEvent: trainEventForwarder(ctx.emit) });
      return { run: toRunInfo(started.run), plan: toPlanInfo(started.plan), truncated: started.truncated };
    }),
    'train.resume': defineMethod('train.resume', RunIdInput, async (input, ctx) => {
      const resumed = await resumeTraining(db.get(), input, { onEvent: trainEventForwarder(ctx.emit) });
      return { run: toRunInfo(resumed.run), plan: toPlanInfo(resumed.plan), truncated: resumed.truncated };
    }),
    'train.cancel': defineMethod('train.cancel', RunIdInput, async (input) => ({
      runId: runId(cancelTraining(db.get(), input).runId),
    })),
    'train.active': defineMethod('train.active', z.strictObject({}), async () => {
      const id = activeRunId();
      if (id === null) return { run: null };
      return { run: runInfoOf(db.get(), getRun(db.get(), id)) };
    }),
  };
}
