/**
 * The one error boundary of the services. Services take validated input and throw typed errors; only the
 * dispatcher (api/dispatch.ts) and the CLI runner turn a thrown error into a result or a message. The codes
 * are the contract's `ErrorCode` (src-preload/contract), so there is one definition.
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import type { ApiError, ErrorCode } from '../../../src-preload/contract';
import { ImportError } from '../../data/import/errors';
import { HfModelError } from '../../engine/model';
import { ConstraintError, MigrationError, NotFoundError, SchemaTooNewError, StoreError } from '../../store/errors';

export type { ErrorCode } from '../../../src-preload/contract';

/** An expected failure raised inside a service, carrying its code; `message` says how to fix it. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  /** What happened in a few words, when the code's generic title would not say it ("File not found"). */
  readonly title: string | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: readonly string[],
    options?: ErrorOptions & { readonly title?: string },
  ) {
    super(message, options);
    this.title = options?.title;
  }
}

const IO_CODES = /^(ENOENT|EACCES|EISDIR|ENOTDIR|EMFILE|ENOSPC|EPERM|EROFS)$/;

/** Classifies errors raised below the services (store, importers, the file system) into contract codes. */
function lowerLayerCode(error: unknown): ErrorCode | null {
  // The file cannot be read as the chosen format: the message says where and how to fix it.
  if (error instanceof ImportError || error instanceof HfModelError) return 'invalid_input';
  if (error instanceof NotFoundError) return 'not_found';
  if (error instanceof ConstraintError) return 'conflict';
  if (error instanceof SchemaTooNewError) return 'schema_too_new';
  if (error instanceof MigrationError || error instanceof StoreError) return 'internal';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && IO_CODES.test(code)) return 'io';
  return null;
}

/** The headline of a lower layer's error: what happened, where the code's generic title would not say it. */
export function errorTitle(error: unknown): string | undefined {
  if (error instanceof ServiceError) return error.title;
  if (error instanceof ImportError) {
    const file = basename(error.path);
    if (error.line !== null && /quot/i.test(error.problem)) return `Bad quote at line ${error.line} in ${file}`;
    return `Cannot import ${file}${error.line === null ? '' : ` (line ${error.line})`}`;
  }
  if (error instanceof HfModelError)
    return /BERT-like|BERT-family/.test(error.message) ? 'Not a BERT-family model' : 'Cannot use this model folder';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'File not found';
  if (code === 'EACCES' || code === 'EPERM') return 'Permission denied';
  if (code === 'ENOSPC') return 'The disk is full';
  return undefined;
}

/** Maps any thrown value to the `ApiError` that crosses the boundary; unknown errors become 'internal'. */
export function toApiError(error: unknown, method: string): ApiError {
  const title = errorTitle(error);
  const titled = title === undefined ? {} : { title };
  if (error instanceof ServiceError) {
    const issues = error.issues === undefined ? {} : { issues: [...error.issues] };
    return { code: error.code, ...titled, message: error.message, method, ...issues };
  }
  const code = lowerLayerCode(error);
  if (code !== null && code !== 'internal') return { code, ...titled, message: (error as Error).message, method };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    code: 'internal',
    message: `Unexpected error: ${message}. This is a bug; please report it with the steps that led here.`,
    method,
  };
}

/** The `path: message` lines of a zod error, one per problem. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(input)'}: ${i.message}`);
}

/**
 * Validates input that did NOT come through the dispatcher (files read from disk, a run's stored config)
 * against a zod schema, throwing invalid_input that lists each problem.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = issueLines(parsed.error);
  throw new ServiceError('invalid_input', `Invalid ${what}: ${issues.join('; ')}`, issues);
}
