// Shared data shapes for importers, exporters, silver labelers and alignment.
// The store/services layer depends on these: extend, never break.

/** A labelled character range [start, end) in an example's text (UTF-16 code units, like String.slice). */
export interface CharSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/** Where a span came from; human review turns silver into gold. */
export type SpanSource = 'silver' | 'gold' | 'model';

/** A span produced by a silver labeler, tagged with the labeler that produced it ('name@version'). */
export interface SilverSpan extends CharSpan {
  readonly source: 'silver';
  readonly labeler: string;
  /** How likely the span is right (0..1), from the rule or source that found it (silver/confidence.ts). */
  readonly confidence?: number;
}

/** One example read from a file; `line` is the 1-based line where its record starts. */
export interface ImportedExample {
  readonly line: number;
  readonly text: string;
  readonly label?: string;
  readonly spans?: readonly CharSpan[];
  /** Word tokens when the source file is token based (CoNLL); text is them joined by single spaces. */
  readonly tokens?: readonly string[];
  /** Set when an earlier example (at this line) has the same text; the example is still emitted. */
  readonly duplicateOf?: number;
}

/** A record that was not imported and why (the reason says how to fix it). */
export interface SkippedRow {
  readonly line: number;
  readonly reason: string;
}

/** A record whose text equals an earlier one; it is still emitted as an example. */
export interface DuplicateRow {
  readonly line: number;
  readonly firstLine: number;
}

export type ImportFormat = 'csv' | 'tsv' | 'jsonl' | 'conll' | 'prodigy' | 'doccano';

/** Summary of one import, emitted once as the last event. */
export interface ImportReport {
  readonly path: string;
  readonly format: ImportFormat;
  /** Encoding actually decoded; 'latin1' means the file was converted (see `notes`). */
  readonly encoding: 'utf-8' | 'latin1';
  readonly rowsRead: number;
  readonly examples: number;
  readonly skipped: number;
  readonly duplicates: number;
  /** First skipped rows (at most 1000 kept), for display. */
  readonly skippedRows: readonly SkippedRow[];
  /** First duplicate rows (at most 1000 kept), for display. */
  readonly duplicateRows: readonly DuplicateRow[];
  /** Distinct class labels seen, in order of first appearance. */
  readonly labels: readonly string[];
  /** Distinct entity types seen, in order of first appearance. */
  readonly entityTypes: readonly string[];
  /** Human-readable notes (e.g. "converted from latin-1", "IOB1 converted to IOB2"). */
  readonly notes: readonly string[];
}

export type ImportEvent =
  | { readonly kind: 'example'; readonly example: ImportedExample }
  | { readonly kind: 'skipped'; readonly row: SkippedRow }
  | { readonly kind: 'progress'; readonly bytesRead: number; readonly totalBytes: number }
  | { readonly kind: 'done'; readonly report: ImportReport };

/** Column selector for CSV/TSV: a header name or a 0-based column index. */
export type ColumnRef = string | number;

export interface ColumnMapping {
  /** One column, or several joined with a space (AG News original: title + description). */
  readonly textColumn: ColumnRef | readonly ColumnRef[];
  readonly labelColumn?: ColumnRef;
  /** Whether the first row is a header; auto-detected when omitted. */
  readonly header?: boolean;
}

export interface ImportOptions {
  /** Format; detected from the extension (and content for .jsonl) when omitted. */
  readonly format?: ImportFormat;
  /** CSV/TSV column mapping; defaults to columns named text/label, else label,text (AG News). */
  readonly columns?: ColumnMapping;
  /** Allowed class labels; rows with others are skipped. Integer labels 1..n map to labels[i-1]. */
  readonly labels?: readonly string[];
  /** Entity types allowed; spans of other types make the row skipped. */
  readonly entityTypes?: readonly string[];
  /** 'auto' (default) refuses invalid UTF-8 unless `latin1Fallback` is set. */
  readonly latin1Fallback?: boolean;
  /** Emit a progress event at most every this many bytes (default 1 MiB). */
  readonly progressEveryBytes?: number;
}

/** First rows of a file plus what the importer detected, for a column-mapping UI. */
export interface ImportPreview {
  readonly format: ImportFormat;
  readonly encoding: 'utf-8' | 'latin1';
  /** Column names (header row, or "column 1".. when there is none); empty for non-tabular formats. */
  readonly columns: readonly string[];
  readonly hasHeader: boolean;
  /** The mapping the importer would use by default. */
  readonly suggested: ColumnMapping | null;
  /** Raw cells of the first rows (tabular), or JSON/CoNLL records rendered as examples. */
  readonly rows: readonly (readonly string[])[];
  readonly examples: readonly ImportedExample[];
}
