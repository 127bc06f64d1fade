// Shared by every feature: branded ids, results and errors, and small helper types several features use.

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
  /** What happened, in a few words ("File not found", "Bad quote at line 3 in news.csv"); the UI's headline. */
  readonly title?: string;
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
// Small shapes several features share.

/** Any JSON value (a run's stored config). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Names one run; the input (or part of it) of most `train.*`, `runs.*` and `playground.*` methods. */
export type RunRef = { readonly runId: RunId };
