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
  'path_rejected',
  'schema_too_new',
  'io',
  'unavailable',
  'cancelled',
  'unauthorized',
  'forbidden',
  'transport',
  'internal',
]);

interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly string[];
}

// Duck-typed on purpose: services/errors.ts ServiceError (and any error carrying a contract code) qualifies.
function hasCode(error: unknown): error is CodedError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Maps any thrown value to the `ApiError` that crosses the boundary. */
export function toApiError(error: unknown, method: string): ApiError {
  if (hasCode(error) && isErrorCode(error.code)) {
    const issues = Array.isArray(error.issues) ? { issues: error.issues.map(String) } : {};
    return { code: error.code, message: error.message, method, ...issues };
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
