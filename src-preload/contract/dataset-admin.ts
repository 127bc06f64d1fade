// Datasets under the user's control: exporting annotations; renaming, deleting, re-splitting datasets and
// moving examples between splits; renaming and deleting projects.
import type { DatasetId, ExampleId, ProjectId } from './core';
import type { DatasetInfo, ProjectInfo, Split, SplitPolicy } from './datasets';

/** One dataset a run read for one task; `datasetId` null once that dataset was deleted (its name is kept). */
export interface RunDataInfo {
  readonly role: 'classification-train' | 'classification-dev' | 'ner-train' | 'ner-dev';
  readonly datasetId: DatasetId | null;
  readonly datasetName: string;
  /** The split read, or null for every example of the dataset (a dataset given as the dev source). */
  readonly split: Split | null;
  /** When the dataset was deleted; null while it exists. */
  readonly deletedAt: string | null;
}

export type AnnotationFormat = 'conll' | 'jsonl' | 'csv';

export interface ExportAnnotationsInput {
  readonly datasetId: DatasetId;
  /** Absolute path of an existing folder on the machine running the backend. */
  readonly folder: string;
  /** File name inside the folder. */
  readonly fileName: string;
  /** CoNLL (IOB2, a "# label = X" line per labelled sentence), span JSONL, or CSV (text,label,spans). */
  readonly format: AnnotationFormat;
  /** One split or every example (default 'all'). */
  readonly split?: Split | 'all';
  /** Gold is always written; silver proposals and model predictions only when named here. */
  readonly include?: readonly ('silver' | 'model')[];
  /** 'accepted': only spans a person accepted; 'notRejected' (default): pending ones too. */
  readonly spans?: 'accepted' | 'notRejected';
  readonly onlyReviewed?: boolean;
}

export interface ExportAnnotationsReport {
  /** The file written. */
  readonly path: string;
  readonly format: AnnotationFormat;
  readonly examples: number;
  readonly spans: number;
  /** Spans whose edges fell inside a word; the CoNLL export widened them to whole words. */
  readonly widenedSpans: number;
}

/** Examples per split and per class after a re-split or a move, and what a training would object to. */
export interface SplitReport {
  readonly dataset: DatasetInfo;
  readonly counts: Readonly<Record<Split, number>>;
  readonly byClass: Readonly<Record<string, Readonly<Record<Split, number>>>>;
  /** E.g. 'Class "Sports" has no dev examples (train 40, test 5); ...': each with the counts. */
  readonly warnings: readonly string[];
}

export interface DatasetAdminMethods {
  /** Renames a dataset (unique within its project); runs that used it show the new name. */
  'datasets.rename': {
    readonly input: { readonly datasetId: DatasetId; readonly name: string };
    readonly output: DatasetInfo;
  };
  /**
   * Deletes a dataset with its examples; runs that used it are kept and marked as using a deleted dataset.
   * Refused (conflict, naming the run) while a queued or running training uses it.
   */
  'datasets.delete': {
    readonly input: { readonly datasetId: DatasetId };
    readonly output: { readonly deleted: DatasetId; readonly runsMarked: number };
  };
  /** Re-assigns every example's split (stratified by class with ratios and a seed, or all to one split). */
  'datasets.resplit': {
    readonly input: { readonly datasetId: DatasetId; readonly split: SplitPolicy };
    readonly output: SplitReport;
  };
  /** Moves the chosen examples of a dataset to one split. */
  'datasets.moveExamples': {
    readonly input: { readonly datasetId: DatasetId; readonly exampleIds: readonly ExampleId[]; readonly split: Split };
    readonly output: SplitReport & { readonly moved: number };
  };
  /** Renames a project (names are unique). */
  'projects.rename': {
    readonly input: { readonly projectId: ProjectId; readonly name: string };
    readonly output: ProjectInfo;
  };
  /** Deletes a project and everything in it (run folders on disk stay); refused while one of its runs trains. */
  'projects.delete': {
    readonly input: { readonly projectId: ProjectId };
    /** runsKept: runs that stay listed under the deleted project (its row is kept, hidden, for them). */
    readonly output: { readonly deleted: ProjectId; readonly runsKept: number };
  };
  /** Writes the dataset's annotations to a file; the file appears only when complete. */
  'datasets.export': { readonly input: ExportAnnotationsInput; readonly output: ExportAnnotationsReport };
}
