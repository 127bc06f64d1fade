/**
 * The one function every transport calls: look the method up, validate the payload with zod, run the
 * handler, and turn every outcome into a `Result`. Transports never see a thrown error.
 */
import { z } from 'zod';
import type { MethodName, Result } from '../../../src-preload/contract';
import { issueLines, toApiError } from './errors';
import type { MethodDef, MethodTable, ServiceContext } from './methods';

/** Untyped entry point for transports: the method name and payload come straight off the wire. */
export type Dispatch = (method: string, input: unknown) => Promise<Result<unknown>>;

type Compiled = (input: unknown, ctx: ServiceContext) => Promise<Result<unknown>>;

function compile<M extends MethodName>(table: MethodTable, method: M): Compiled {
  const def: MethodDef<M> = table[method];
  return async (input, ctx) => {
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) {
      const message = `Invalid input for ${method}: ${z.prettifyError(parsed.error)}`;
      const issues = issueLines(parsed.error);
      return { ok: false, error: { code: 'invalid_input', message, method, issues } };
    }
    try {
      return { ok: true, value: await def.handler(parsed.data, ctx) };
    } catch (error) {
      const apiError = toApiError(error, method);
      if (apiError.code === 'internal') console.error(`[mts] ${method} failed:`, error);
      return { ok: false, error: apiError };
    }
  };
}

/** Builds the dispatcher for a complete method table and a context (event sink). */
export function createDispatcher(table: MethodTable, ctx: ServiceContext): Dispatch {
  const methods = new Map<string, Compiled>();
  for (const method of Object.keys(table) as MethodName[]) methods.set(method, compile(table, method));
  return async (method, input) => {
    const run = methods.get(method);
    if (run === undefined) {
      const known = [...methods.keys()].sort().join(', ');
      const message = `Unknown method "${method}". Known methods: ${known}.`;
      return { ok: false, error: { code: 'unknown_method', message, method } };
    }
    return run(input, ctx);
  };
}
