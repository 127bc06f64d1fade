// Row shapes the repositories return: camelCase, readonly, plain serialisable data.

export type Split = 'train' | 'dev' | 'test';
export type SpanSource = 'silver' | 'gold' | 'model';
export type SpanStatus = 'pending' | 'accepted' | 'rejected';
export type ExampleStatus = 'pending' | 'reviewed' | 'skipped';
export type DatasetStatus = 'importing' | 'ready';
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export type ArtifactKind = 'checkpoint' | 'export';

export const SPLITS: readonly Split[] = ['train', 'dev', 'test'];
export const SPAN_SOURCES: readonly SpanSource[] = ['silver', 'gold', 'model'];
export const SPAN_STATUSES: readonly SpanStatus[] = ['pending', 'accepted', 'rejected'];
export const EXAMPLE_STATUSES: readonly ExampleStatus[] = ['pending', 'reviewed', 'skipped'];
export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
];

export interface Project {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly createdAt: string;
  /** Set when the project was deleted but kept for its runs (hidden from the project lists). */
  readonly deletedAt: string | null;
}

export interface SkippedRowRecord {
  readonly line: number;
  readonly reason: string;
}

/** A row left out because its text equals the row at `firstLine`. */
export interface DuplicateRowRecord {
  readonly line: number;
  readonly firstLine: number;
}

export interface Dataset {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly sourcePath: string;
  readonly sha256: string;
  readonly format: string;
  /** Column mapping and importer options, as given at import time. */
  readonly mapping: unknown;
  /** Split ratios, seed and duplicate policy used for this dataset. */
  readonly options: unknown;
  readonly status: DatasetStatus;
  /** Last source line whose effect is committed; a resumed import skips lines up to it. */
  readonly resumeLine: number;
  /** Process that is (or was, before a crash) writing an unfinished import; null once ready. */
  readonly ownerPid: number | null;
  readonly rowsRead: number;
  readonly examples: number;
  readonly skipped: number;
  readonly duplicates: number;
  /** First skipped rows (at most MAX_SKIPPED_KEPT) with their reasons. */
  readonly skippedRows: readonly SkippedRowRecord[];
  /** First duplicate rows (at most MAX_SKIPPED_KEPT) with the line they repeat. */
  readonly duplicateRows: readonly DuplicateRowRecord[];
  readonly createdAt: string;
  readonly completedAt: string | null;
}

export interface Span {
  readonly id: number;
  readonly exampleId: number;
  /** UTF-16 code unit offsets, [start, end): text.slice(start, end) is the span's text. */
  readonly start: number;
  readonly end: number;
  readonly type: string;
  readonly source: SpanSource;
  readonly status: SpanStatus;
  readonly confidence: number | null;
  readonly labeler: string | null;
  readonly createdAt: string;
}

export interface Example {
  readonly id: number;
  readonly datasetId: number;
  readonly line: number;
  readonly text: string;
  readonly split: Split | null;
  readonly classLabel: string | null;
  readonly labelSource: SpanSource | null;
  readonly status: ExampleStatus;
  readonly reviewedAt: string | null;
  readonly modelLabel: string | null;
  readonly modelConfidence: number | null;
  readonly modelAt: string | null;
}

export interface ExampleWithSpans extends Example {
  readonly spans: readonly Span[];
}

export interface Run {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly config: unknown;
  readonly preset: string;
  readonly modelPath: string;
  readonly dataHash: string;
  readonly deviceRequested: string;
  readonly deviceUsed: string | null;
  readonly deviceReason: string | null;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly ownerPid: number | null;
  /** Named durations in seconds (e.g. graphBuild, epoch1), merged on each status update. */
  readonly timings: Readonly<Record<string, number>>;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
}

export interface Metric {
  readonly step: number;
  readonly epoch: number;
  readonly split: string;
  readonly name: string;
  /** NaN is stored as NULL and read back as NaN. */
  readonly value: number;
}

export interface Artifact {
  readonly id: number;
  readonly runId: number;
  readonly kind: ArtifactKind;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly createdAt: string;
}

/** Current time as an ISO-8601 string; one place so every table stores the same format. */
export function nowIso(): string {
  return new Date().toISOString();
}
