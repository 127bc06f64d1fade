// Runs screen, learning curves: the same training request on growing shares of its train examples, dev
// metrics against train size, and whether labelling more data pays. The shapes mirror services/curves.
import type { Brand, ProjectId, RunId } from './core';
import type { TrainRequest } from './train';

export type CurveId = Brand<number, 'CurveId'>;
export type CurveStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** One share: its size, the run that trained it (null: imported from `mts curve`) and its best dev metrics. */
export interface CurvePointInfo {
  /** Share of the train examples, (0, 1]. */
  readonly fraction: number;
  readonly trainExamples: number;
  readonly runId: RunId | null;
  /** Best dev accuracy / entity F1 (0..1); null while the share trains, or when the task is off. */
  readonly accuracy: number | null;
  readonly nerF1: number | null;
}

/** "Does more labelling pay?" for one task, from the slope of the curve's last points. */
export interface CurveVerdictInfo {
  readonly task: 'classification' | 'ner';
  readonly pays: 'yes' | 'little' | 'no' | 'unknown';
  /** Dev metric points per doubling of the train data over the last (up to three) points. */
  readonly pointsPerDoubling: number | null;
  readonly message: string;
}

export interface LearningCurveInfo {
  readonly id: CurveId;
  readonly projectId: ProjectId;
  readonly name: string;
  /** 'app': trained here, one run per share; 'cli': a curve.json of `mts curve` imported. */
  readonly origin: 'app' | 'cli';
  readonly status: CurveStatus;
  readonly error: string | null;
  /** Every share asked for, smallest first; `points` has those started so far. */
  readonly fractions: readonly number[];
  readonly points: readonly CurvePointInfo[];
  /** Dev examples the metrics are measured on (null when unknown). */
  readonly devExamples: number | null;
  readonly verdict: readonly CurveVerdictInfo[];
  readonly createdAt: string;
  readonly endedAt: string | null;
}

export interface CurveStartRequest {
  /** The run every share repeats, as the Train screen sends it; without epochs, each share gets its preset's. */
  readonly request: TrainRequest;
  /** Shares of the train examples (default 0.25, 0.5, 0.75, 1). */
  readonly fractions?: readonly number[];
  readonly name?: string;
}

/** `curves.changed`: a curve started, a share began or ended, or the curve ended; read it again. */
export interface CurvesApiEvent {
  readonly type: 'curves.changed';
  readonly curveId: CurveId;
  readonly status: CurveStatus;
}

export interface CurvesMethods {
  /**
   * Starts a learning curve: refused with the plan's reasons, or when a share has fewer examples than one batch
   * or misses a class (with the numbers). Each share trains as a run of its own, one after the other; follow
   * them through `train.*` and `curves.changed` events.
   */
  'curves.start': { readonly input: CurveStartRequest; readonly output: LearningCurveInfo };
  /** Stops the curve training in this app: its current share ends cancelled, no share follows. */
  'curves.cancel': { readonly input: { readonly curveId: CurveId }; readonly output: { readonly curveId: CurveId } };
  /** A project's learning curves, newest first. */
  'curves.list': {
    readonly input: { readonly projectId: ProjectId };
    readonly output: readonly LearningCurveInfo[];
  };
  /** Stores a curve.json written by `mts curve` (an absolute path) as a curve of the project. */
  'curves.import': {
    readonly input: { readonly projectId: ProjectId; readonly path: string };
    readonly output: LearningCurveInfo;
  };
}
