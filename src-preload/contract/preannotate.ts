// Annotate screen's "Pre-annotate with run…": a run's predictions proposed as model spans (model-in-the-loop).
// A run's entity predictions replace pending silver spans as one undoable edit, and its class predictions are
// stored so the "Model disagrees" filter and the least-confident-first order work.
import type { DatasetId, ExampleId, RunId } from './core';
import type { ExampleFilter } from './annotate';

/** Which examples of the dataset to pre-annotate (reviewed ones are always left alone). */
export type PreannotateScope =
  /** The examples the list shows under these filters (the dataset's own filter fields, without the id). */
  | { readonly kind: 'filtered'; readonly filter: Omit<ExampleFilter, 'datasetId'> }
  /** Every example with status 'pending'. */
  | { readonly kind: 'all-pending' }
  | { readonly kind: 'examples'; readonly exampleIds: readonly ExampleId[] };

export interface PreannotateRequest {
  readonly runId: RunId;
  readonly datasetId: DatasetId;
  readonly scope: PreannotateScope;
  /** Predicted entities below this probability are not proposed (default 0). */
  readonly minConfidence?: number;
  /**
   * 'ask': when the minimum confidence leaves proposals out and fewer model spans would be added than pending
   * spans replaced (a threshold that keeps none), write nothing and answer with `applied: false` and the counts, so the person can confirm; 'replace'
   * (default) goes ahead.
   */
  readonly onFewer?: 'replace' | 'ask';
}

export interface PreannotateOutcome {
  /** Examples the model looked at (reviewed ones excluded). */
  readonly examples: number;
  readonly spansAdded: number;
  /** Pending silver spans and earlier model proposals that the new model spans replaced. */
  readonly spansReplaced: number;
  readonly skipped: {
    /** Examples marked reviewed (left untouched). */
    readonly reviewed: number;
    /** Proposals overlapping a gold or accepted span. */
    readonly settled: number;
    /** Proposals equal to a span a person rejected. */
    readonly rejected: number;
    readonly lowConfidence: number;
  };
  /** Examples whose model class prediction was stored (for "Model disagrees"). */
  readonly classesStored: number;
  /** False when nothing changed (then there is nothing to undo). */
  readonly undoable: boolean;
  /** False when `onFewer: 'ask'` stopped before writing; the counts are what it would have done. */
  readonly applied: boolean;
  readonly seconds: number;
}

/** `annotate.preannotate` events: the model's progress through the chosen examples. */
export interface PreannotateApiEvent {
  readonly type: 'annotate.preannotate';
  readonly datasetId: DatasetId;
  readonly progress: { readonly done: number; readonly total: number };
}

export interface PreannotateMethods {
  /** Runs a completed run's model over the scope; at most 5,000 examples per call; progress as events. */
  'annotate.preannotate': { readonly input: PreannotateRequest; readonly output: PreannotateOutcome };
  /** Stops a running pre-annotation of the dataset before it writes anything (it fails with 'cancelled'). */
  'annotate.cancelPreannotate': {
    readonly input: { readonly datasetId: DatasetId };
    readonly output: { readonly cancelled: boolean };
  };
}
