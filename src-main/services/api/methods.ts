/**
 * Types for the main-side half of the contract: one `MethodDef` (zod input schema + handler) per method in
 * `ApiMethods`. `MethodTable` is a mapped type, so a method without a handler does not compile, and
 * `defineMethod` checks that the contract's input type is accepted by the zod schema and that the handler
 * returns the contract's output type.
 */
import type { z } from 'zod';
import type { ApiEvent, InputOf, MethodName, OutputOf } from '../../../src-preload/contract';

/** What every handler gets besides its validated input. */
export interface ServiceContext {
  /** Pushes an event to every connected UI (IPC or WebSocket). */
  readonly emit: (event: ApiEvent) => void;
}

/** A method as the dispatcher stores it: the schema, and a handler that receives that schema's output. */
export interface MethodDef<M extends MethodName> {
  readonly input: z.ZodType;
  /** Only ever called with `input.parse(...)`'s result (see defineMethod). */
  readonly handler: (parsed: unknown, ctx: ServiceContext) => Promise<OutputOf<M>>;
}

export type MethodTable = { readonly [M in MethodName]: MethodDef<M> };

/** A slice of the table that one feature's methods.ts contributes (spread into the full table in app/backend.ts). */
export type MethodSlice<K extends MethodName> = { readonly [M in K]: MethodDef<M> };

/** zod infers mutable arrays; the contract's inputs are readonly. Compare against a readonly view. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Pairs a zod schema with a typed handler for method `M`. The trailing check fails to compile (asking for
 * an argument named after the problem) when a payload the contract allows would not pass the schema's type.
 */
export function defineMethod<M extends MethodName, S extends z.ZodType>(
  _method: M,
  input: S,
  handler: (input: z.output<S>, ctx: ServiceContext) => Promise<OutputOf<M>>,
  ..._check: InputOf<M> extends DeepReadonly<z.input<S>> ? [] : [contractInputNotAcceptedBySchema: never]
): MethodDef<M> {
  // Sound: the dispatcher passes only `input.safeParse(...).data`, which is z.output<S>.
  return { input, handler: (parsed, ctx) => handler(parsed as z.output<S>, ctx) };
}
