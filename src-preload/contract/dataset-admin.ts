// Datasets under the user's control: exporting annotations; renaming, deleting, re-splitting datasets and
// moving examples between splits; renaming and deleting projects.
import type { DatasetId } from './core';
import type { Split } from './datasets';

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

export interface DatasetAdminMethods {
  /** Writes the dataset's annotations to a file; the file appears only when complete. */
  'datasets.export': { readonly input: ExportAnnotationsInput; readonly output: ExportAnnotationsReport };
}
