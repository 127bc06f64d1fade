/**
 * The typed API contract between the UI and the main side. It imports NOTHING, so the renderer, the
 * preload, the main process, the HTTP server and the CLI can all depend on it without pulling code along.
 *
 * Adding a method:
 *   1. add one entry to `ApiMethods` below (input and output types),
 *   2. add one entry to the method table in src-main/services/contract-impl.ts (zod input schema + handler).
 * The compiler refuses a method that has types but no handler, or a handler whose types drift.
 */

// ---------------------------------------------------------------------------------------------------------
// Branded ids: plain numbers (SQLite row ids) at run time, distinct types at compile time so a RunId cannot
// be passed where a ProjectId is expected. Only the main side mints them; the UI passes back what it got.

declare const brand: unique symbol;
/** A `T` that only code that knows the brand `B` can create (via a cast at the validation boundary). */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ProjectId = Brand<number, 'ProjectId'>;
export type DatasetId = Brand<number, 'DatasetId'>;
export type ExampleId = Brand<number, 'ExampleId'>;
export type SpanId = Brand<number, 'SpanId'>;
export type RunId = Brand<number, 'RunId'>;

// ---------------------------------------------------------------------------------------------------------
// Results and errors cross the boundary as data, never as thrown exceptions.

/** Machine-readable error kinds; the message is for people and says how to fix the problem. */
export type ErrorCode =
  | 'invalid_input' // the payload failed validation (zod message in `message`)
  | 'unknown_method' // no such method in the table
  | 'not_found' // the id or file does not exist
  | 'conflict' // the request clashes with the current state (e.g. duplicate name)
  | 'path_rejected' // a file path escapes its allowed folder, is not absolute, or is a symlink out
  | 'schema_too_new' // the project database was written by a newer app version
  | 'io' // the file system refused (missing file, permissions, disk full)
  | 'unavailable' // a dependency (file, device, execution provider) cannot be used here
  | 'cancelled' // the user or a newer request cancelled the work
  | 'unauthorized' // browser mode: the access token is missing or wrong
  | 'forbidden' // browser mode: the request came from another origin
  | 'transport' // the UI could not reach the backend at all
  | 'internal'; // a bug: the message names what failed

export interface ApiError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The method that failed, when known; helps people report bugs. */
  readonly method?: string;
  /** For invalid_input: one line per problem, as `path: message`. */
  readonly issues?: readonly string[];
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** Input of methods that take no arguments (serialises as `{}`). */
export type NoInput = Record<string, never>;

// ---------------------------------------------------------------------------------------------------------
// System (About this machine)

export type ExecutionProviderName = 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';

/** What `system.about` reports; cheap, no ONNX sessions are created. */
export interface AboutInfo {
  readonly appVersion: string;
  /** Which transport served this call; the UI must not branch on it, it is shown for support only. */
  readonly runtime: 'electron' | 'node';
  readonly versions: {
    readonly node: string;
    readonly electron: string | null;
    readonly chrome: string | null;
    readonly v8: string;
    readonly onnxruntimeNode: string;
  };
  readonly platform: { readonly os: string; readonly arch: string; readonly release: string };
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly memory: { readonly totalBytes: number; readonly freeBytes: number };
  /** Folder of the project database on the backend's machine. */
  readonly dataDir: string;
  /** Backends the onnxruntime-node binding was built with; `bundled: false` means extra libraries are needed. */
  readonly ortBackends: readonly { readonly name: string; readonly bundled: boolean }[];
}

/** Outcome of creating and running a tiny Add model on one execution provider, in a child process. */
export type ProviderProbe =
  | {
      readonly provider: ExecutionProviderName;
      readonly status: 'available';
      readonly ortVersion: string;
      /** Milliseconds for session creation plus one run. */
      readonly ms: number;
    }
  | {
      readonly provider: ExecutionProviderName;
      readonly status: 'unavailable';
      /** The exact error text onnxruntime gave. */
      readonly error: string;
      /** What onnxruntime logged on stderr meanwhile (often names the missing library); empty if nothing. */
      readonly log: string;
      readonly ms: number;
    }
  | { readonly provider: ExecutionProviderName; readonly status: 'timeout'; readonly afterMs: number }
  | {
      readonly provider: ExecutionProviderName;
      readonly status: 'crashed';
      /** Exit code or signal plus the tail of stderr. */
      readonly detail: string;
    };

export interface ProbeProvidersInput {
  /** Which providers to try; all five when omitted. */
  readonly providers?: readonly ExecutionProviderName[];
  /** Per-probe limit in milliseconds (default 20 000). */
  readonly timeoutMs?: number;
}

export interface ProbeProvidersOutput {
  readonly probes: readonly ProviderProbe[];
}

/** One folder's contents on the backend's machine, for picking files to import (same in Electron and browser). */
export interface ListFilesInput {
  /** Absolute folder; the user's home folder when omitted. */
  readonly dir?: string;
  /** Include names starting with a dot (default false). */
  readonly showHidden?: boolean;
}

export interface FileEntry {
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  readonly kind: 'dir' | 'file';
  /** Size of files; null for folders. */
  readonly bytes: number | null;
}

export interface ListFilesOutput {
  /** The folder listed (absolute, normalised). */
  readonly dir: string;
  /** Its parent, or null at the file-system root. */
  readonly parent: string | null;
  /** Folders first, then files, each sorted by name. */
  readonly entries: readonly FileEntry[];
  /** True when the folder held more entries than were returned. */
  readonly truncated: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Projects and datasets

export interface ProjectInfo {
  readonly id: ProjectId;
  readonly name: string;
  readonly description: string;
  /** ISO-8601. */
  readonly createdAt: string;
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

// ---------------------------------------------------------------------------------------------------------
// The method table. Keys are `<service>.<verb>`; they are also the HTTP paths (POST /api/<method>).

export interface ApiMethods {
  'system.about': { readonly input: NoInput; readonly output: AboutInfo };
  'system.probeProviders': { readonly input: ProbeProvidersInput; readonly output: ProbeProvidersOutput };
  'system.listFiles': { readonly input: ListFilesInput; readonly output: ListFilesOutput };
  'projects.list': { readonly input: NoInput; readonly output: readonly ProjectInfo[] };
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

export type MethodName = keyof ApiMethods;
export type InputOf<M extends MethodName> = ApiMethods[M]['input'];
export type OutputOf<M extends MethodName> = ApiMethods[M]['output'];

// ---------------------------------------------------------------------------------------------------------
// Events pushed from the main side (IPC `api:event` / WebSocket /api/events). A discriminated union on
// `type`; services add their own members (e.g. 'import.progress', 'train.step').

export type ApiEvent =
  | {
      readonly type: 'system.probe';
      /** One provider finished probing; lets the UI fill the table as results arrive. */
      readonly probe: ProviderProbe;
    }
  | { readonly type: 'datasets.import'; readonly path: string; readonly progress: ImportProgress }
  | AnnotateLabelEvent
  | PreannotateApiEvent
  | TrainApiEvent
  | {
      readonly type: 'system.log';
      readonly level: 'info' | 'warn' | 'error';
      readonly message: string;
    };

export type ApiEventType = ApiEvent['type'];

// ---------------------------------------------------------------------------------------------------------
// The object the UI talks to. Electron exposes it as `window.api` through the preload; browser mode builds
// one over HTTP + WebSocket. The UI cannot tell them apart.

export interface Api {
  /** Calls one method; never rejects: transport failures come back as `{ ok: false, error: { code: 'transport' } }`. */
  invoke<M extends MethodName>(method: M, input: InputOf<M>): Promise<Result<OutputOf<M>>>;
  /** Subscribes to pushed events; returns the function that unsubscribes. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** IPC channel names shared by the preload and the main process. */
export const IPC_INVOKE_CHANNEL = 'api:invoke';
export const IPC_EVENT_CHANNEL = 'api:event';

/** Browser mode paths shared by the server and the browser client. */
export const HTTP_API_PREFIX = '/api/';
export const WS_EVENTS_PATH = '/api/events';
/** Request header carrying the per-launch token in browser mode. */
export const TOKEN_HEADER = 'x-mts-token';

// ---------------------------------------------------------------------------------------------------------
// Annotate screen (review silver/model spans and class labels; undo/redo; silver labelling). Declared as a
// second `ApiMethods` block: TypeScript merges it into the table above.

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

export interface ApiMethods {
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

// ---------------------------------------------------------------------------------------------------------
// Train, Runs, Playground and Export screens. A further `ApiMethods` block (TypeScript merges it into the
// table above); the shapes mirror the engine's TrainEvent and the train/playground services' results.

export type FreezePresetName = 'full' | 'heads-only' | 'freeze-classifier' | 'freeze-ner' | 'frozen';
export type TrainDevice = 'auto' | ExecutionProviderName;
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** Any JSON value (a run's stored config). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a person chooses on the Train screen; omitted fields take the reference recipe's defaults. */
export interface TrainRequest {
  readonly projectId: ProjectId;
  readonly datasetId: DatasetId;
  /** Hugging Face BERT folder on the machine running the backend, or an earlier run's checkpoint. */
  readonly modelDir: string;
  readonly name?: string;
  readonly preset?: FreezePresetName;
  readonly freezeEmbeddings?: boolean;
  readonly freezeBottomLayers?: number;
  readonly lr?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Micro-batches per optimizer step (1..64): effective batch batchSize x gradAccumulation, memory of one. */
  readonly gradAccumulation?: number;
  readonly maxLength?: number;
  /** Loss weight per task; 0 leaves that task out. */
  readonly taskWeights?: { readonly classification: number; readonly ner: number };
  readonly device?: TrainDevice;
  readonly seed?: number;
  /** Stop after this many optimizer steps (0 = all epochs). */
  readonly maxSteps?: number;
  /** Evaluate every N steps as well as at each epoch end (0 = epochs only). */
  readonly evalEverySteps?: number;
  readonly threads?: number;
}

/** A request with every default filled in (what the run will use). */
export type TrainSettings = Required<Omit<TrainRequest, 'name' | 'threads'>> & Pick<TrainRequest, 'name' | 'threads'>;

/** The pre-start summary: what trains, on how much data, and why the run may not start. */
export interface TrainPlanInfo {
  readonly settings: TrainSettings;
  readonly model: {
    readonly dir: string;
    readonly layers: number;
    readonly hidden: number;
    readonly maxPositions: number;
  } | null;
  readonly tasks: { readonly classification: boolean; readonly ner: boolean };
  readonly classLabels: readonly string[];
  readonly entityTypes: readonly string[];
  /** null when the model folder or the preset cannot be used (see refusals). */
  readonly params: {
    readonly trainable: number;
    readonly frozen: number;
    readonly trainableGroups: readonly string[];
    readonly frozenGroups: readonly string[];
  } | null;
  readonly counts: {
    readonly train: number;
    readonly dev: number;
    readonly trainByClass: Readonly<Record<string, number>>;
    readonly devByClass: Readonly<Record<string, number>>;
    readonly trainByType: Readonly<Record<string, number>>;
    readonly devByType: Readonly<Record<string, number>>;
  };
  /** Examples per optimizer step: `accumulation` micro-batches of `size`; `text` e.g. "32 x 2 = 64 examples per step". */
  readonly batch: {
    readonly size: number;
    readonly accumulation: number;
    readonly effective: number;
    readonly text: string;
  };
  /** Each says how to fix it; empty means `train.start` would start. */
  readonly refusals: readonly string[];
  readonly warnings: readonly string[];
}

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

/** Live progress of a training (the engine's TrainEvent). */
export type TrainProgress =
  | {
      readonly type: 'started';
      readonly device: {
        readonly requested: string;
        readonly used: string;
        readonly notUsed: readonly { readonly device: string; readonly reason: string }[];
      };
      readonly trainExamples: number;
      readonly devExamples: number;
      readonly trainableParams: number;
      readonly totalSteps: number;
      readonly resumedFromStep: number;
    }
  | {
      readonly type: 'step';
      readonly step: number;
      readonly totalSteps: number;
      readonly epoch: number;
      readonly losses: StepLossesInfo;
      readonly lr: number;
      readonly gradNorm: number;
      readonly samplesPerSec: number;
      readonly etaSec: number;
    }
  | {
      readonly type: 'eval';
      readonly step: number;
      readonly epoch: number;
      readonly metrics: EvalInfo;
      readonly isBest: boolean;
    }
  | { readonly type: 'checkpoint'; readonly step: number; readonly path: string; readonly best: boolean }
  | {
      readonly type: 'finished';
      readonly status: 'completed' | 'cancelled' | 'early-stopped';
      readonly steps: number;
      readonly seconds: number;
      readonly best: { readonly metric: string; readonly value: number | null; readonly step: number };
    }
  | { readonly type: 'error'; readonly message: string };

/**
 * `train.progress`: one training event (step events are thinned to a few per second; every other kind is
 * sent). `train.status`: the run's status changed.
 */
export type TrainApiEvent =
  | { readonly type: 'train.progress'; readonly runId: RunId; readonly progress: TrainProgress }
  | {
      readonly type: 'train.status';
      readonly runId: RunId;
      readonly status: RunStatus;
      readonly error?: string;
    };

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
  readonly evaluation: { readonly step: number; readonly metrics: EvalInfo } | null;
  /** Why there is no evaluation (e.g. the run failed before evaluating); null when there is one. */
  readonly evaluationNote: string | null;
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

export interface PredictionInfo {
  readonly label: string | null;
  /** In the model's label order. */
  readonly classProbs: readonly { readonly label: string; readonly prob: number }[];
  /** `text.slice(start, end) === text` for each. */
  readonly entities: readonly {
    readonly start: number;
    readonly end: number;
    readonly type: string;
    readonly text: string;
    readonly confidence: number;
  }[];
  /** WordPiece tokens; specials ([CLS], [SEP]) have start = end = 0. */
  readonly tokens: readonly {
    readonly token: string;
    readonly start: number;
    readonly end: number;
    readonly special: boolean;
    readonly classified: boolean;
  }[];
  /** The classifier saw only the first maxLength tokens. */
  readonly truncated: boolean;
  /** 'int8': the encoder's dense layers ran in int8 (faster on CPU, slightly different numbers). */
  readonly precision: 'fp32' | 'int8';
  /** Forward pass and decoding of this text, model already loaded. */
  readonly predictMs: number;
}

export interface NearestInfo {
  readonly devExamples: number;
  readonly neighbours: readonly {
    readonly exampleId: ExampleId;
    readonly text: string;
    readonly classLabel: string | null;
    readonly similarity: number;
  }[];
}

export interface ExportRunInput {
  readonly runId: RunId;
  /** Absolute path of an existing folder on the machine running the backend; the bundle becomes a folder inside it. */
  readonly folder: string;
  /** Bundle folder name inside `folder` (default "<run name>-run<id>"); may not leave `folder`. */
  readonly name?: string;
  /** Replace an existing bundle of that name (only after the new one passed its parity check). */
  readonly overwrite?: boolean;
  /** Also write int8 graphs (model.int8.onnx, per head onnx/model_quantized.onnx), parity-checked the same way. */
  readonly int8?: boolean;
}

export interface ExportResultInfo {
  readonly outDir: string;
  /** Bundle-relative file names with their sizes. */
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  /** Largest difference per exported output between the bundle and the in-app predictor. */
  readonly parity: readonly { readonly file: string; readonly output: string; readonly maxAbsDiff: number }[];
  /** The largest of them; an export above the engine's tolerance fails instead of returning. */
  readonly worstParity: number;
  /** SHA-256 over the bundle's files, as recorded with the run. */
  readonly sha256: string;
  /** With int8: share of the sample texts (classes) and tokens (tags) where int8 picks what fp32 picks. */
  readonly int8Agreement?: { readonly sameClass: number | null; readonly sameTag: number | null };
}

type RunRef = { readonly runId: RunId };

export interface ApiMethods {
  /** The pre-start summary; never starts anything. */
  'train.plan': { readonly input: TrainRequest; readonly output: TrainPlanInfo };
  /** Starts a training (refused with the plan's reasons); follow it through `train.*` events. */
  'train.start': {
    readonly input: TrainRequest;
    readonly output: { readonly run: RunInfo; readonly plan: TrainPlanInfo; readonly truncated: number };
  };
  /** Stops the running training within one step; it ends 'cancelled' and keeps its best checkpoint. */
  'train.cancel': { readonly input: RunRef; readonly output: { readonly runId: RunId } };
  /**
   * Continues a cancelled, failed or interrupted run from its last saved state with its stored settings; it
   * ends as the uninterrupted run would have. Refused for a completed run, one training now, a missing run
   * folder or resume state, and a dataset edited since the run started. Follow it through `train.*` events
   * (its `started` progress carries `resumedFromStep`).
   */
  'train.resume': {
    readonly input: RunRef;
    readonly output: { readonly run: RunInfo; readonly plan: TrainPlanInfo; readonly truncated: number };
  };
  /** The run training in this app now, if any (lets a reopened Train screen follow it). */
  'train.active': { readonly input: NoInput; readonly output: { readonly run: RunInfo | null } };
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
  'playground.predict': {
    readonly input: RunRef & { readonly text: string; readonly precision?: 'fp32' | 'int8' };
    readonly output: PredictionInfo;
  };
  'playground.nearest': {
    readonly input: RunRef & { readonly text: string; readonly k?: number };
    readonly output: NearestInfo;
  };
  /** Writes the run's export bundle and checks it against the in-app predictor. */
  'export.run': { readonly input: ExportRunInput; readonly output: ExportResultInfo };
}

// ---------------------------------------------------------------------------------------------------------
// Annotate screen: "Pre-annotate with run…" (model-in-the-loop). A further `ApiMethods` block: a run's entity
// predictions replace pending silver spans as one undoable edit, and its class predictions are stored so the
// "Model disagrees" filter and the least-confident-first order work.

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
  readonly seconds: number;
}

/** `annotate.preannotate` events: the model's progress through the chosen examples. */
export interface PreannotateApiEvent {
  readonly type: 'annotate.preannotate';
  readonly datasetId: DatasetId;
  readonly progress: { readonly done: number; readonly total: number };
}

export interface ApiMethods {
  /** Runs a completed run's model over the scope; at most 5,000 examples per call; progress as events. */
  'annotate.preannotate': { readonly input: PreannotateRequest; readonly output: PreannotateOutcome };
  /** Stops a running pre-annotation of the dataset before it writes anything (it fails with 'cancelled'). */
  'annotate.cancelPreannotate': {
    readonly input: { readonly datasetId: DatasetId };
    readonly output: { readonly cancelled: boolean };
  };
}
