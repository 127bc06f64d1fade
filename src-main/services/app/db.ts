/**
 * The app's project database, opened on first use (no folder or file is created until a project method
 * runs) and kept open after. Note: store/db.ts imports better-sqlite3 statically, so the addon itself loads
 * when the app starts; an Electron build whose better-sqlite3 was not rebuilt for Electron's ABI fails then.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDb, type Db } from '../../store/db';
import { recoverInterruptedRuns } from '../runs';

export const DB_FILE_NAME = 'studio.db';

export interface DbHandle {
  /** The open database; opens it (creating folder and file) on the first call. Throws ServiceError. */
  get(): Db;
  /** Closes the database if it was opened. */
  close(): void;
}

/** A lazily opened database in `dataDir`. */
export function lazyDb(dataDir: string): DbHandle {
  let db: Db | null = null;
  return {
    get() {
      if (db !== null) return db;
      // Errors propagate as they are (StoreError, SchemaTooNewError, fs codes): the dispatcher maps them.
      mkdirSync(dataDir, { recursive: true });
      const opened = openDb(path.join(dataDir, DB_FILE_NAME));
      // Runs left 'running' by a process that died are marked interrupted before anyone reads them.
      recoverInterruptedRuns(opened);
      db = opened;
      return db;
    },
    close() {
      db?.close();
      db = null;
    },
  };
}
