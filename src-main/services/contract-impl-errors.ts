/**
 * How thrown errors become `ApiError` data at the service boundary. Services throw typed errors that carry
 * a `code` from the contract's `ErrorCode`; anything else is a bug and is reported as `internal`.
 */
import type { ApiError, ErrorCode } from '../../src-preload/contract';

const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid_input',
  'unknown_method',
  'not_found',
  'conflict',
  'unavailable',
  'cancelled',
  'unauthorized',
  'forbidden',
  'transport',
  'internal',
]);

/** An error a service throws on purpose; the message must tell the user how to fix the problem. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function hasCode(error: unknown): error is { code: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Maps any thrown value to the `ApiError` that crosses the boundary. */
export function toApiError(error: unknown, method: string): ApiError {
  if (hasCode(error) && KNOWN_CODES.has(error.code)) {
    return { code: error.code as ErrorCode, message: error.message, method };
  }
  if (error instanceof Error) {
    return { code: 'internal', message: `${error.name}: ${error.message}`, method };
  }
  return { code: 'internal', message: `Non-error thrown: ${String(error)}`, method };
}

/** Whether `code` is one the contract knows (used by transports when mapping to HTTP statuses). */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}
