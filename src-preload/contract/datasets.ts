// Projects and datasets: creating projects, previewing and importing files, dataset statistics.
import type { DatasetId, ProjectId } from './core';

export interface ProjectInfo {
  readonly id: ProjectId;
  readonly name: string;
  readonly description: string;
  /** ISO-8601. */
  readonly createdAt: string;
  /** ISO-8601 when the project was deleted but kept for its runs (listed only with includeDeleted). */
  readonly deletedAt: string | null;
}

export interface CreateProjectInput {
  readonly name: string;
  readonly description?: string;
}

export type Split = 'train' | 'dev' | 'test';
export type ImportFormat = 'csv' | 'tsv' | 'jsonl' | 'conll' | 'prodigy' | 'doccano';

/** CSV/TSV columns: a header name or a 0-based index. */
export interface ColumnMapping {
  readonly textColumn: string | number;
  readonly labelColumn?: string | number;
  /** Whether the first row is a header; detected when omitted. */
  readonly header?: boolean;
}

/** How imported examples are assigned to train/dev/test. */
export type SplitPolicy =
  | {
      readonly mode: 'stratified';
      readonly train: number;
      readonly dev: number;
      readonly test: number;
      readonly seed?: number;
    }
  | { readonly mode: 'fixed'; readonly split: Split };

export interface PreviewFileInput {
  /** Absolute path of an existing file on the machine running the backend. */
  readonly path: string;
  readonly format?: ImportFormat;
  readonly columns?: ColumnMapping;
  readonly latin1Fallback?: boolean;
  /** How many rows to show (default 20, at most 200). */
  readonly rows?: number;
}

export interface PreviewExample {
  readonly line: number;
  readonly text: string;
  readonly label?: string;
  readonly spans?: readonly { readonly start: number; readonly end: number; readonly type: string }[];
}

export interface ImportPreview {
  readonly format: ImportFormat;
  readonly encoding: 'utf-8' | 'latin1';
  readonly columns: readonly string[];
  readonly hasHeader: boolean;
  readonly rows: readonly (readonly string[])[];
  readonly examples: readonly PreviewExample[];
}

export interface ImportDatasetInput {
  readonly projectId: ProjectId;
  /** Absolute path of an existing file on the machine running the backend. */
  readonly path: string;
  /** Display name; the file name when omitted. */
  readonly name?: string;
  readonly format?: ImportFormat;
  readonly columns?: ColumnMapping;
  /** Allowed class labels (others are skipped with a reason). */
  readonly labels?: readonly string[];
  readonly split?: SplitPolicy;
  /** Keep rows whose text repeats an earlier row (default: skip and count them). */
  readonly keepDuplicates?: boolean;
}

export interface RowNote {
  readonly line: number;
  readonly reason: string;
}

export interface ImportSummary {
  readonly datasetId: DatasetId;
  readonly sha256: string;
  /** Set when this import continued one interrupted at that source line. */
  readonly resumedAfterLine: number | null;
  readonly rowsRead: number;
  readonly examples: number;
  readonly skipped: number;
  readonly duplicates: number;
  /** The first skipped rows with the reason for each. */
  readonly skippedRows: readonly RowNote[];
  readonly labels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly notes: readonly string[];
  readonly seconds: number;
}

export interface DatasetInfo {
  readonly id: DatasetId;
  readonly projectId: ProjectId;
  readonly name: string;
  readonly sourcePath: string;
  readonly sha256: string;
  readonly format: string;
  readonly rowsRead: number;
  readonly examples: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly createdAt: string;
}

/** Counts per split ('none' = not assigned). */
export type SplitCounts = Readonly<Partial<Record<Split | 'none', number>>>;

export interface DatasetStats {
  readonly total: number;
  readonly reviewed: number;
  readonly byClass: Readonly<Record<string, SplitCounts>>;
  readonly byEntityType: Readonly<Record<string, SplitCounts>>;
  readonly bySpanSource: Readonly<Partial<Record<'silver' | 'gold' | 'model', number>>>;
  readonly modelDisagrees: number;
}

/** Progress of one `datasets.import` call, keyed by the file path it was given. */
export type ImportProgress =
  | { readonly kind: 'started'; readonly datasetId: DatasetId; readonly resumedAfterLine: number | null }
  | {
      readonly kind: 'progress';
      readonly bytesRead: number;
      readonly totalBytes: number;
      readonly rowsRead: number;
      readonly examples: number;
      readonly skipped: number;
      readonly duplicates: number;
    }
  | { readonly kind: 'finalizing'; readonly examples: number }
  | { readonly kind: 'done'; readonly examples: number };

/** `datasets.import` events: the progress of importing the file at `path`. */
export interface DatasetsApiEvent {
  readonly type: 'datasets.import';
  readonly path: string;
  readonly progress: ImportProgress;
}

export interface DatasetsMethods {
  /** Live projects; with includeDeleted also the deleted ones kept for their runs (the Runs screen). */
  'projects.list': {
    readonly input: { readonly includeDeleted?: boolean };
    readonly output: readonly ProjectInfo[];
  };
  'projects.create': { readonly input: CreateProjectInput; readonly output: ProjectInfo };
  'datasets.list': { readonly input: { readonly projectId: ProjectId }; readonly output: readonly DatasetInfo[] };
  'datasets.preview': { readonly input: PreviewFileInput; readonly output: ImportPreview };
  'datasets.import': { readonly input: ImportDatasetInput; readonly output: ImportSummary };
  'datasets.stats': { readonly input: { readonly datasetId: DatasetId }; readonly output: DatasetStats };
  /** Stops the running import of `path`; that import then fails with code 'cancelled' and keeps nothing. */
  'datasets.cancelImport': {
    readonly input: { readonly path: string };
    readonly output: { readonly cancelled: boolean };
  };
}
