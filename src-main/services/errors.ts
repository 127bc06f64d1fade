// How services report failure: they throw typed errors inside, and every exported service function
// returns a plain `Result` so transports (IPC, HTTP, CLI) can pass it on unchanged. See README.md.
// The codes are a subset of the API contract's ErrorCode (src-preload/contract.ts).
import type { z } from 'zod';
import { ImportError } from '../data/import/errors';
import { ConstraintError, MigrationError, NotFoundError, SchemaTooNewError, StoreError } from '../store/errors';

/** Machine-readable failure kinds; transports map them (e.g. HTTP 400/404/409/500). */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'path_rejected'
  | 'schema_too_new'
  | 'cancelled'
  | 'unavailable'
  | 'io'
  | 'internal';

/** A failure as plain data: `message` is written for a person and says how to fix it. */
export interface ServiceErrorData {
  readonly code: ErrorCode;
  readonly message: string;
  /** For invalid_input: one line per problem, as `path: message`. */
  readonly issues?: readonly string[];
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ServiceErrorData };

/** An expected failure raised inside a service, carrying its code. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Maps any thrown value to error data; unknown errors become 'internal' with their message kept. */
export function toErrorData(err: unknown): ServiceErrorData {
  if (err instanceof ServiceError) {
    return err.issues
      ? { code: err.code, message: err.message, issues: err.issues }
      : { code: err.code, message: err.message };
  }
  // The file cannot be read as the chosen format: the message says where and how to fix it.
  if (err instanceof ImportError) return { code: 'invalid_input', message: err.message };
  if (err instanceof NotFoundError) return { code: 'not_found', message: err.message };
  if (err instanceof ConstraintError) return { code: 'conflict', message: err.message };
  if (err instanceof SchemaTooNewError) return { code: 'schema_too_new', message: err.message };
  if (err instanceof MigrationError || err instanceof StoreError) return { code: 'internal', message: err.message };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ENOENT|EACCES|EISDIR|ENOTDIR|EMFILE|ENOSPC|EPERM)$/.test(code)) {
    return { code: 'io', message: (err as Error).message };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    code: 'internal',
    message: `Unexpected error: ${message}. This is a bug; please report it with the steps that led here.`,
  };
}

/** Runs a synchronous service body and wraps its value or error in a Result. */
export function guard<T>(body: () => T): Result<T> {
  try {
    return { ok: true, value: body() };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}

/** Runs an asynchronous service body and wraps its value or error in a Result. */
export async function guardAsync<T>(body: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}

/** Validates external input against a zod schema, throwing invalid_input that lists each problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(input)'}: ${i.message}`);
  throw new ServiceError('invalid_input', `Invalid ${what}: ${issues.join('; ')}`, issues);
}

/** Unwraps a Result, rethrowing its error as a ServiceError (for callers such as the CLI and tests). */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ServiceError(r.error.code, r.error.message, r.error.issues);
}
