// Test helpers: a fresh database in a temporary folder, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from './db';

export interface TempDb {
  readonly db: Db;
  readonly dir: string;
  readonly path: string;
  /** Closes the database and removes its folder. */
  cleanup(): void;
}

/** Opens a new migrated database in a fresh temporary folder. */
export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'mts-store-'));
  const path = join(dir, 'project.db');
  const db = openDb(path);
  return {
    db,
    dir,
    path,
    cleanup(): void {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
