// Dataset health (Datasets screen, Health panel): duplicates, dev leakage, likely label errors, balance and
// lengths of a dataset, computed by services/health. In a stored report, every row number is an example id.
import type { DatasetId, ExampleId, RunId } from './core';

export interface HealthReportInfo {
  readonly data: { readonly path: string; readonly rows: number; readonly unreadableRows: number };
  readonly dev: { readonly path: string; readonly rows: number; readonly unreadableRows: number } | null;
  readonly encoder: { readonly dir: string; readonly maxLength: number; readonly precision: 'fp32' | 'int8' } | null;
  /** Most likely first; score = 1 - out-of-sample probability of the given label. */
  readonly labelErrors: readonly {
    readonly line: number;
    readonly given: string;
    readonly suggested: string;
    readonly score: number;
  }[];
  readonly labelCheck: {
    readonly folds: number;
    readonly classes: readonly string[];
    readonly thresholds: Readonly<Record<string, number>>;
    readonly confidentJoint: readonly (readonly number[])[];
    readonly crossValidatedAccuracy: number;
  } | null;
  readonly exactDuplicates: readonly {
    readonly lines: readonly number[];
    readonly labels: readonly (string | null)[];
  }[];
  readonly nearDuplicates: readonly { readonly a: number; readonly b: number; readonly similarity: number }[];
  readonly nearDuplicateThreshold: number;
  readonly labelConflicts: readonly {
    readonly lines: readonly number[];
    readonly labels: readonly string[];
    readonly kind: 'exact' | 'near';
    readonly similarity: number;
  }[];
  readonly leakage: readonly {
    readonly devLine: number;
    readonly trainLine: number;
    readonly similarity: number;
    readonly exact: boolean;
  }[];
  readonly devAccuracy: {
    readonly source: 'run' | 'probe';
    readonly examples: number;
    readonly accuracy: number;
    readonly leaked: number;
    readonly accuracyWithoutLeaked: number | null;
  } | null;
  readonly nerDisagreements: readonly {
    readonly line: number;
    readonly start: number;
    readonly end: number;
    readonly text: string;
    readonly predicted: string;
    readonly annotated: string | null;
    readonly kind: 'missing' | 'type' | 'boundary';
    readonly confidence: number;
  }[];
  readonly classBalance: {
    readonly classes: readonly { readonly label: string; readonly count: number; readonly share: number }[];
    readonly imbalanceRatio: number;
    readonly unlabelled: number;
  };
  readonly lengthOutliers: readonly {
    readonly line: number;
    readonly words: number;
    readonly kind: 'short' | 'long';
  }[];
  readonly lengthStats: { readonly median: number; readonly lowFence: number; readonly highFence: number };
  readonly skipped: readonly string[];
  readonly timings: {
    readonly readSeconds: number;
    readonly embedSeconds: number;
    readonly duplicatesSeconds: number;
    readonly labelCheckSeconds: number;
    readonly totalSeconds: number;
  };
}

/** A stored check of a dataset. */
export interface DatasetHealthInfo {
  readonly id: number;
  readonly datasetId: DatasetId;
  readonly modelPath: string;
  readonly createdAt: string;
  /** The dataset changed since the check ran (an edit, a re-split): findings may be out of date. */
  readonly stale: boolean;
  readonly report: HealthReportInfo;
  /** Text and label of every example the findings name, by example id. */
  readonly examples: Readonly<Record<number, { readonly text: string; readonly classLabel: string | null }>>;
}

export type HealthStage = 'embed' | 'duplicates' | 'leakage' | 'labels';

/** `health.progress` events: the running check of a dataset. */
export interface HealthApiEvent {
  readonly type: 'health.progress';
  readonly datasetId: DatasetId;
  readonly stage: HealthStage;
  readonly done: number;
  readonly total: number;
}

export interface HealthMethods {
  /** Runs the check (minutes on a CPU for tens of thousands of texts) and stores it with the dataset version. */
  'health.check': {
    readonly input: {
      readonly datasetId: DatasetId;
      /** Absolute path of a BERT-family model folder (its frozen encoder embeds the texts). */
      readonly modelDir: string;
      /** A finished run whose classifier scores dev. */
      readonly runId?: RunId;
    };
    readonly output: DatasetHealthInfo;
  };
  'health.latest': {
    readonly input: { readonly datasetId: DatasetId };
    readonly output: DatasetHealthInfo | null;
  };
  /** Accepts a finding as one undoable edit (annotate.undo reverts it). */
  'health.accept': {
    readonly input:
      | { readonly action: 'relabel'; readonly exampleId: ExampleId; readonly label: string }
      | { readonly action: 'drop'; readonly exampleId: ExampleId };
    readonly output: { readonly exampleId: ExampleId };
  };
}
