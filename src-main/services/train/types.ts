// Result and event types of the training service (plain data: they cross IPC and WebSocket as they are).
import type { TrainEvent } from '../../engine/trainer';
import type { Run, RunStatus } from '../../store/types';
import type { TrainingPlan } from './plan';

// Defined beside the slot that holds it (active.ts), so that types -> plan -> active has no way back.
export type { TrainingOutcome } from './active';

/** Progress of a service-driven training: engine events tagged with the run, and status changes. */
export type TrainingServiceEvent =
  | { readonly type: 'train'; readonly runId: number; readonly event: TrainEvent }
  | { readonly type: 'status'; readonly runId: number; readonly status: RunStatus; readonly error?: string };

/** What startTraining returns once the run row exists and the worker has been started. */
export interface TrainingStarted {
  readonly run: Run;
  readonly plan: TrainingPlan;
  /** Run folder: best/ checkpoint, resume/ state, metrics.json. */
  readonly outDir: string;
  /** Examples cut at maxLength while preparing. */
  readonly truncated: number;
}
