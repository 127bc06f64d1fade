/** Test helper: a method table over a throw-away data folder, with the probe child run from TS source. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMethodTable, type AppDeps } from './backend';
import { lazyDb, type DbHandle } from './db';
import type { MethodTable } from '../api/methods';
import { tsxProbeChild } from '../system/testing';

export interface TestTable {
  readonly table: MethodTable;
  readonly deps: AppDeps;
  readonly db: DbHandle;
  /** Closes the database and deletes the data folder. */
  cleanup(): void;
}

/** A full method table whose database lives in a fresh temp folder. */
export function testTable(): TestTable {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mts-data-'));
  const deps: AppDeps = { probeChild: tsxProbeChild(), dataDir };
  const db = lazyDb(dataDir);
  return {
    table: createMethodTable(deps, db),
    deps,
    db,
    cleanup: () => {
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
