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
// Branded ids: plain strings at run time, distinct types at compile time so a RunId cannot be passed where
// a ProjectId is expected.

declare const brand: unique symbol;
/** A `T` that only code that knows the brand `B` can create (via a cast at the validation boundary). */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ProjectId = Brand<string, 'ProjectId'>;
export type DatasetId = Brand<string, 'DatasetId'>;
export type ExampleId = Brand<string, 'ExampleId'>;
export type SpanId = Brand<string, 'SpanId'>;
export type RunId = Brand<string, 'RunId'>;

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
// The method table. Keys are `<service>.<verb>`; they are also the HTTP paths (POST /api/<method>).

export interface ApiMethods {
  'system.about': { readonly input: NoInput; readonly output: AboutInfo };
  'system.probeProviders': { readonly input: ProbeProvidersInput; readonly output: ProbeProvidersOutput };
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
