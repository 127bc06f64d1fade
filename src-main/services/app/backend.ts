/**
 * Wiring of every service to the contract: the complete method table. To add a method, add its types to the
 * feature's method map in src-preload/contract/<feature>.ts and its handler to the feature's slice in
 * services/<feature>/methods.ts (a new feature's slice is spread here); `satisfies MethodTable` fails to
 * compile until both sides agree.
 */
import { createDispatcher, type Dispatch } from '../api/dispatch';
import { annotateMethods } from '../annotate/methods';
import { curvesMethods } from '../curves/methods';
import { datasetMethods } from '../datasets/methods';
import { datasetAdminMethods } from '../datasets/admin-methods';
import { lazyDb, type DbHandle } from './db';
import { modelsMethods } from '../models/methods';
import { playgroundMethods } from '../playground/methods';
import { preannotateMethods } from '../preannotate/methods';
import { projectMethods } from '../projects/methods';
import { exportMethods } from '../export/methods';
import { healthMethods } from '../health/methods';
import { runsMethods } from '../runs/methods';
import { trainMethods } from '../train/methods';
import type { MethodTable, ServiceContext } from '../api/methods';
import type { ChildCommand } from '../system';
import { systemMethods } from '../system/methods';

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
    ...projectMethods(db),
    ...datasetMethods(db),
    ...datasetAdminMethods(db),
    ...annotateMethods(db),
    ...preannotateMethods(db),
    ...trainMethods(db),
    ...runsMethods(db),
    ...exportMethods(db),
    ...playgroundMethods(db),
    ...healthMethods(db),
    ...modelsMethods(),
    ...curvesMethods(db),
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
