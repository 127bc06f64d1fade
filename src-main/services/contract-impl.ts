/**
 * Wiring of every service to the contract: the complete method table. To add a method, add its types to
 * `ApiMethods` in src-preload/contract.ts and spread the service's slice here; `satisfies MethodTable`
 * fails to compile until both sides agree.
 */
import { createDispatcher, type Dispatch } from './contract-impl-dispatch';
import type { MethodTable, ServiceContext } from './contract-impl-types';
import { systemMethods, type ChildCommand } from './system';

/** Everything the services need from the transport that hosts them. */
export interface AppDeps {
  readonly probeChild: ChildCommand;
}

/** The full method table for the given dependencies. */
export function createMethodTable(deps: AppDeps): MethodTable {
  return {
    ...systemMethods({ probeChild: deps.probeChild }),
  } satisfies MethodTable;
}

/** Convenience for transports: table + dispatcher in one call. */
export function createAppDispatcher(deps: AppDeps, ctx: ServiceContext): Dispatch {
  return createDispatcher(createMethodTable(deps), ctx);
}
