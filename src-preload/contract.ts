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
