// Runs screen: run history, details, curves, comparison and mistakes, and the evaluation shapes training shares.
// The shapes mirror the engine's TrainEvent and the runs service's results.
import type { DatasetId, ExampleId, JsonValue, ProjectId, RunId, RunRef } from './core';
import type { RunDataInfo } from './dataset-admin';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface StepLossesInfo {
  readonly total: number;
  readonly classification?: number;
  readonly ner?: number;
}

export interface PrfRow {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ClassEvalInfo {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: readonly (PrfRow & { readonly label: string })[];
  /** `confusion[i][j]`: examples of labels[i] predicted as labels[j]. */
  readonly confusion: readonly (readonly number[])[];
  readonly labels: readonly string[];
}

export interface EntityEvalInfo {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly perType: readonly (PrfRow & { readonly type: string })[];
}

export interface EvalInfo {
  readonly classification?: ClassEvalInfo;
  readonly ner?: EntityEvalInfo;
  readonly loss?: StepLossesInfo;
}

/** A metric value at the step it was measured; null for a diverged (NaN) value. */
export interface MetricPointInfo {
  readonly value: number | null;
  readonly step: number;
}

/** One row of the run history. */
export interface RunInfo {
  readonly id: RunId;
  readonly projectId: ProjectId;
  /** null for runs recorded by other tools (no dataset in this app). */
  readonly datasetId: DatasetId | null;
  readonly name: string;
  readonly preset: string;
  readonly modelPath: string;
  /** SHA-256 of the training data snapshot. */
  readonly dataHash: string;
  readonly deviceRequested: string;
  readonly deviceUsed: string | null;
  /** Why other devices were not used. */
  readonly deviceReason: string | null;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** Wall time from start to end (or to now while running); null before it starts. */
  readonly durationSec: number | null;
  /** Best dev value per headline metric (e.g. 'classification.accuracy', 'ner.f1'). */
  readonly best: Readonly<Record<string, MetricPointInfo>>;
  /** The datasets each task trained and evaluated on (deleted ones marked); absent where not looked up. */
  readonly data?: readonly RunDataInfo[];
}

export interface ArtifactInfo {
  readonly kind: 'checkpoint' | 'export';
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly createdAt: string;
}

export interface RunDetailInfo {
  readonly run: RunInfo;
  readonly config: JsonValue;
  readonly timings: Readonly<Record<string, number>>;
  readonly artifacts: readonly ArtifactInfo[];
  /** The evaluation of the best checkpoint (confusion matrix, per-class and per-type P/R/F1), when stored. */
  readonly evaluation: {
    readonly step: number;
    /** The dev metric that kept this checkpoint ('tasks.mean', 'ner.f1', ...); null in runs from before it was stored. */
    readonly metric: string | null;
    readonly metrics: EvalInfo;
  } | null;
  /** Why there is no evaluation (e.g. the run failed before evaluating); null when there is one. */
  readonly evaluationNote: string | null;
  /** The training advisor's reading of the run's curves (empty before two evaluations). */
  readonly advice: readonly AdviceInfo[];
}

/** One claim of the training advisor, in plain words, about one head. */
export interface AdviceInfo {
  readonly kind: 'head-lags' | 'over-fitting' | 'not-learning' | 'still-improving';
  readonly task: 'classification' | 'ner';
  readonly message: string;
}

/** One chart series (uPlot-ready columns). Per-label metrics are named `<name>:<label>`. */
export interface CurveInfo {
  readonly name: string;
  readonly split: string;
  readonly steps: readonly number[];
  readonly values: readonly (number | null)[];
}

export interface RunCurvesInfo {
  readonly runId: RunId;
  readonly status: RunStatus;
  readonly curves: readonly CurveInfo[];
}

export interface RunComparisonInfo {
  readonly runs: readonly {
    readonly runId: RunId;
    readonly name: string;
    readonly status: RunStatus;
    readonly preset: string;
    readonly deviceUsed: string | null;
    readonly best: Readonly<Record<string, MetricPointInfo>>;
    /** Keyed `split/name`. */
    readonly last: Readonly<Record<string, MetricPointInfo>>;
  }[];
  /** Only the config fields that differ; values in the order of `runs`, null where a run lacks the field. */
  readonly configDiff: readonly { readonly path: string; readonly values: readonly JsonValue[] }[];
  readonly sameData: boolean;
}

export interface ClassMistakeInfo {
  readonly exampleId: ExampleId;
  readonly text: string;
  readonly gold: string;
  readonly predicted: string;
  readonly confidence: number;
  readonly goldProb: number;
}

export interface EntityMistakeInfo {
  readonly exampleId: ExampleId;
  readonly text: string;
  readonly kind: 'missed' | 'spurious' | 'wrong-type';
  readonly start: number;
  readonly end: number;
  readonly type: string;
  readonly predictedType: string | null;
  readonly confidence: number | null;
}

export interface RunMistakesInfo {
  readonly runId: RunId;
  readonly devExamples: number;
  readonly classificationErrors: number;
  readonly entityErrors: number;
  readonly classification: readonly ClassMistakeInfo[];
  readonly entities: readonly EntityMistakeInfo[];
  /** The labels changed since the run trained: the mistakes use today's labels. */
  readonly dataChanged: boolean;
}

export interface RunsMethods {
  /** A project's runs, newest first. */
  'runs.list': { readonly input: { readonly projectId: ProjectId }; readonly output: readonly RunInfo[] };
  'runs.get': { readonly input: RunRef; readonly output: RunDetailInfo };
  'runs.curves': {
    readonly input: RunRef & { readonly names?: readonly string[] };
    readonly output: RunCurvesInfo;
  };
  'runs.compare': { readonly input: { readonly runIds: readonly RunId[] }; readonly output: RunComparisonInfo };
  /** Dev examples the run's best checkpoint gets wrong, most confident first. */
  'runs.mistakes': { readonly input: RunRef & { readonly limit?: number }; readonly output: RunMistakesInfo };
}
