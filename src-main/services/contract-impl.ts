/**
 * Wiring of every service to the contract: the complete method table. To add a method, add its types to
 * `ApiMethods` in src-preload/contract.ts and spread the service's slice here; `satisfies MethodTable`
 * fails to compile until both sides agree.
 */
import { createDispatcher, type Dispatch } from './contract-impl-dispatch';
import { annotateMethods } from './contract-impl-annotate';
import { dataMethods } from './contract-impl-data';
import { lazyDb, type DbHandle } from './contract-impl-db';
import { playgroundMethods } from './contract-impl-playground';
import { preannotateMethods } from './contract-impl-preannotate';
import { exportMethods, runsMethods } from './contract-impl-runs';
import { trainMethods } from './contract-impl-train';
import type { MethodTable, ServiceContext } from './contract-impl-types';
import { systemMethods, type ChildCommand } from './system';

/** Everything the services need from the transport that hosts them. */
export interface AppDeps {
  readonly probeChild: ChildCommand;
  /** Folder for the project database (created on first use). */
  readonly dataDir: string;
}

/** The full method table over an (already created) database handle. */
export function createMethodTable(deps: AppDeps, db: DbHandle): MethodTable {
  return {
    ...systemMethods({ probeChild: deps.probeChild, dataDir: deps.dataDir }),
    ...dataMethods(db),
    ...annotateMethods(db),
    ...preannotateMethods(db),
    ...trainMethods(db),
    ...runsMethods(db),
    ...exportMethods(db),
    ...playgroundMethods(db),
  } satisfies MethodTable;
}

export interface AppBackend {
  readonly dispatch: Dispatch;
  /** Releases what the services hold (the database). */
  close(): void;
}

/** Convenience for transports: database handle, table and dispatcher in one call. */
export function createAppBackend(deps: AppDeps, ctx: ServiceContext): AppBackend {
  const db = lazyDb(deps.dataDir);
  return { dispatch: createDispatcher(createMethodTable(deps, db), ctx), close: () => db.close() };
}
