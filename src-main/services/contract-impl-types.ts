/**
 * Types for the main-side half of the contract: one `MethodDef` (zod input schema + handler) per method in
 * `ApiMethods`. `MethodTable` is a mapped type, so a method without a handler does not compile.
 */
import type { z } from 'zod';
import type { ApiEvent, InputOf, MethodName, OutputOf } from '../../src-preload/contract';

/** What every handler gets besides its validated input. */
export interface ServiceContext {
  /** Pushes an event to every connected UI (IPC or WebSocket). */
  readonly emit: (event: ApiEvent) => void;
}

export interface MethodDef<M extends MethodName> {
  /** Validates the untrusted payload; its output type must be exactly the contract's input type. */
  readonly input: z.ZodType<InputOf<M>>;
  /** Does the work; may throw (see contract-impl-errors.ts for how errors become data). */
  readonly handler: (input: InputOf<M>, ctx: ServiceContext) => Promise<OutputOf<M>>;
}

export type MethodTable = { readonly [M in MethodName]: MethodDef<M> };

/** A slice of the table that one service contributes (spread into the full table in contract-impl.ts). */
export type MethodSlice<K extends MethodName> = { readonly [M in K]: MethodDef<M> };
