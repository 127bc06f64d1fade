// Annotate screen: reviewing silver/model spans and class labels, undo/redo, silver labelling of a dataset.
import type { DatasetId, ExampleId, ProjectId, SpanId } from './core';
import type { Split } from './datasets';

export type SpanSource = 'silver' | 'gold' | 'model';
export type SpanStatus = 'pending' | 'accepted' | 'rejected';
export type ExampleStatus = 'pending' | 'reviewed' | 'skipped';

export interface SpanInfo {
  readonly id: SpanId;
  /** UTF-16 code units, [start, end): `text.slice(start, end)` is the span's text. */
  readonly start: number;
  readonly end: number;
  readonly type: string;
  readonly source: SpanSource;
  readonly status: SpanStatus;
  /** Model spans: the model's probability; null for people and rules. */
  readonly confidence: number | null;
  /** Who proposed it (labeler id, 'human', 'label-all', 'run:12'). */
  readonly labeler: string | null;
}

export interface ExampleInfo {
  readonly id: ExampleId;
  readonly datasetId: DatasetId;
  /** Line of the source file. */
  readonly line: number;
  readonly text: string;
  readonly split: Split | null;
  readonly classLabel: string | null;
  readonly labelSource: SpanSource | null;
  readonly status: ExampleStatus;
  readonly reviewedAt: string | null;
  readonly modelLabel: string | null;
  readonly modelConfidence: number | null;
  readonly spans: readonly SpanInfo[];
}

/** One row of the example list: enough to draw it, without the full text. */
export interface ExampleRow {
  readonly id: ExampleId;
  readonly line: number;
  /** The first characters of the text (whole code points). */
  readonly preview: string;
  readonly textLength: number;
  readonly split: Split | null;
  readonly classLabel: string | null;
  readonly status: ExampleStatus;
  /** Non-rejected spans per source. */
  readonly spanCounts: Readonly<Record<SpanSource, number>>;
  readonly modelConfidence: number | null;
}

export interface ExampleFilter {
  readonly datasetId: DatasetId;
  readonly split?: Split;
  readonly classLabel?: string;
  readonly entityType?: string;
  readonly spanSource?: SpanSource;
  readonly status?: ExampleStatus;
  /** true: only examples whose model predictions differ from the labels. */
  readonly modelDisagrees?: boolean;
  /** Case-sensitive substring of the text. */
  readonly contains?: string;
}

export interface ListExamplesInput extends ExampleFilter {
  /** 'modelConfidence': least confident model predictions first. */
  readonly order?: 'line' | 'modelConfidence';
  readonly offset?: number;
  /** At most 500. */
  readonly limit?: number;
}

export interface ExampleRowPage {
  readonly items: readonly ExampleRow[];
  /** Examples matching the filter over all pages. */
  readonly total: number;
  readonly offset: number;
}

/** One undoable edit, newest first in `annotate.history`. */
export interface HistoryEntry {
  readonly id: number;
  readonly action: string;
  readonly summary: string;
  /** Row-level changes the edit made (label-all: one per added span). */
  readonly changes: number;
  readonly undone: boolean;
  readonly createdAt: string;
  /** The example the edit touched (the first one for label-all), to reopen it; null if it is gone. */
  readonly exampleId: ExampleId | null;
}

export interface UndoOutcome {
  /** The edit that was undone or redone; null when there was nothing to do. */
  readonly entry: HistoryEntry | null;
}

export interface LabelAllOutcome {
  readonly added: number;
  /** Examples that got at least one new span. */
  readonly examples: number;
  /** Matches left alone (overlapping a labelled span, or rejected before). */
  readonly skipped: number;
}

export interface LabelDatasetOutcome {
  readonly examples: number;
  readonly spans: number;
  readonly replaced: number;
  readonly dropped: number;
  readonly seconds: number;
}

export type LabelProgress =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number; readonly spans: number }
  | { readonly kind: 'done'; readonly summary: LabelDatasetOutcome };

/** `annotate.label` events: progress of the silver labeler over one dataset. */
export interface AnnotateLabelEvent {
  readonly type: 'annotate.label';
  readonly datasetId: DatasetId;
  readonly progress: LabelProgress;
}

type ExampleRef = { readonly exampleId: ExampleId };
type SpanRef = { readonly spanId: SpanId };
type ProjectRef = { readonly projectId: ProjectId };

export interface AnnotateMethods {
  'annotate.listExamples': { readonly input: ListExamplesInput; readonly output: ExampleRowPage };
  'annotate.getExample': { readonly input: ExampleRef; readonly output: ExampleInfo };
  /** Adds a gold span; overlapping silver/gold spans are replaced (one undo restores them). */
  'annotate.addSpan': {
    readonly input: ExampleRef & { readonly start: number; readonly end: number; readonly type: string };
    readonly output: ExampleInfo;
  };
  'annotate.removeSpan': { readonly input: SpanRef; readonly output: ExampleInfo };
  'annotate.rejectSpan': { readonly input: SpanRef; readonly output: ExampleInfo };
  'annotate.acceptSpan': { readonly input: SpanRef; readonly output: ExampleInfo };
  'annotate.relabelSpan': { readonly input: SpanRef & { readonly type: string }; readonly output: ExampleInfo };
  'annotate.setClassLabel': {
    readonly input: ExampleRef & { readonly label: string | null };
    readonly output: ExampleInfo;
  };
  /** Pending silver/gold spans become accepted gold, the example becomes reviewed. */
  'annotate.acceptExample': { readonly input: ExampleRef; readonly output: ExampleInfo };
  'annotate.setExampleStatus': {
    readonly input: ExampleRef & { readonly status: 'pending' | 'skipped' };
    readonly output: ExampleInfo;
  };
  /** Pending gold spans on every other whole-token match of `text` in the dataset; one undo removes them all. */
  'annotate.labelAll': {
    readonly input: { readonly datasetId: DatasetId; readonly text: string; readonly type: string };
    readonly output: LabelAllOutcome;
  };
  'annotate.undo': { readonly input: ProjectRef; readonly output: UndoOutcome };
  'annotate.redo': { readonly input: ProjectRef; readonly output: UndoOutcome };
  'annotate.history': {
    readonly input: ProjectRef & { readonly limit?: number };
    readonly output: readonly HistoryEntry[];
  };
  /** Runs the silver labeler over the dataset (reviewed examples skipped); progress as `annotate.label` events. */
  'annotate.labelDataset': {
    readonly input: { readonly datasetId: DatasetId; readonly skipReviewed?: boolean };
    readonly output: LabelDatasetOutcome;
  };
  /** Stops a running `annotate.labelDataset`; batches already written stay. */
  'annotate.cancelLabel': {
    readonly input: { readonly datasetId: DatasetId };
    readonly output: { readonly cancelled: boolean };
  };
}
