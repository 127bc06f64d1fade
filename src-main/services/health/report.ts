// The health report: what `mts health --json` prints and the Datasets screen shows. Row numbers are 1-based
// data rows of the input files (header excluded).
import type { ClassBalance } from '../../data/health';

export interface LabelErrorFinding {
  readonly line: number;
  readonly given: string;
  readonly suggested: string;
  /** 1 - out-of-sample probability of the given label: higher = more likely wrong. */
  readonly score: number;
}

export interface NearDuplicateFinding {
  readonly a: number;
  readonly b: number;
  readonly similarity: number;
}

export interface ExactDuplicateFinding {
  readonly lines: readonly number[];
  readonly labels: readonly (string | null)[];
}

export interface LabelConflictFinding {
  readonly lines: readonly number[];
  readonly labels: readonly string[];
  readonly kind: 'exact' | 'near';
  readonly similarity: number;
}

export interface LeakageFinding {
  readonly devLine: number;
  readonly trainLine: number;
  readonly similarity: number;
  readonly exact: boolean;
}

export interface LengthOutlierFinding {
  readonly line: number;
  readonly words: number;
  readonly kind: 'short' | 'long';
}

/** A confident entity of the run that the annotation of the same text disagrees with. */
export interface NerDisagreementFinding {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly predicted: string;
  /** The annotated type over that range (or overlapping it), null when nothing is annotated there. */
  readonly annotated: string | null;
  readonly kind: 'missing' | 'type' | 'boundary';
  readonly confidence: number;
}

export interface DevAccuracy {
  /** 'run': the given run's classifier; 'probe': the health check's own head on the frozen features. */
  readonly source: 'run' | 'probe';
  readonly examples: number;
  readonly accuracy: number;
  readonly leaked: number;
  /** Accuracy on the dev rows with no exact or near duplicate in train (null when every row leaked). */
  readonly accuracyWithoutLeaked: number | null;
}

export interface LabelCheckSummary {
  readonly folds: number;
  readonly classes: readonly string[];
  /** Per-class thresholds t_j (mean self-confidence), by class name. */
  readonly thresholds: Readonly<Record<string, number>>;
  /** confidentJoint[i][j]: rows labelled classes[i] confidently in classes[j]. */
  readonly confidentJoint: readonly (readonly number[])[];
  /** Accuracy of the out-of-sample predictions against the given labels. */
  readonly crossValidatedAccuracy: number;
}

export interface StageTimings {
  readonly readSeconds: number;
  readonly embedSeconds: number;
  readonly duplicatesSeconds: number;
  readonly labelCheckSeconds: number;
  readonly totalSeconds: number;
}

export interface HealthReport {
  readonly data: { readonly path: string; readonly rows: number; readonly unreadableRows: number };
  readonly dev: { readonly path: string; readonly rows: number; readonly unreadableRows: number } | null;
  readonly encoder: { readonly dir: string; readonly maxLength: number; readonly precision: 'fp32' | 'int8' } | null;
  /** Likely label errors, most likely first; as many as confident learning counts off its joint's diagonal. */
  readonly labelErrors: readonly LabelErrorFinding[];
  readonly labelCheck: LabelCheckSummary | null;
  readonly exactDuplicates: readonly ExactDuplicateFinding[];
  /** Pairs at or above `nearDuplicateThreshold` cosine whose normalised texts differ, most similar first. */
  readonly nearDuplicates: readonly NearDuplicateFinding[];
  readonly nearDuplicateThreshold: number;
  /** Exact or near duplicates whose class labels disagree. */
  readonly labelConflicts: readonly LabelConflictFinding[];
  /** Dev rows with an exact or near duplicate in train. */
  readonly leakage: readonly LeakageFinding[];
  readonly devAccuracy: DevAccuracy | null;
  /** Confident entities of the run (--run) that the annotated spans disagree with, most confident first. */
  readonly nerDisagreements: readonly NerDisagreementFinding[];
  readonly classBalance: ClassBalance;
  readonly lengthOutliers: readonly LengthOutlierFinding[];
  readonly lengthStats: { readonly median: number; readonly lowFence: number; readonly highFence: number };
  /** One sentence per check that did not run (or ran partly), saying why. */
  readonly skipped: readonly string[];
  readonly timings: StageTimings;
}
