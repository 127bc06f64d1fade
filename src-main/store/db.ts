// Opening the project database: pragmas, migrations, and the refusal to touch a newer schema.
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
import { MigrationError, SchemaTooNewError } from './errors';

export type Db = Database.Database;

// Loaded on first open, not at import: a desktop build whose native addon was not rebuilt for Electron's
// ABI then fails when a project is opened, with the addon's message, instead of at start-up.
let sqlite: typeof Database | undefined;
function loadSqlite(): typeof Database {
  sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return sqlite;
}

export interface OpenOptions {
  /** Milliseconds a writer waits for another connection's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Migrations to apply; tests pass extra ones, the app uses the built-in list. */
  readonly migrations?: readonly Migration[];
  /** Open without writing (no migrations); fails if the schema is older than this app's. */
  readonly readonly?: boolean;
}

/** Opens (creating if needed) the database at dbPath with WAL, foreign keys and migrations applied. */
export function openDb(dbPath: string, options: OpenOptions = {}): Db {
  const db = new (loadSqlite())(dbPath, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
  });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
    }
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The schema version stored in the file (PRAGMA user_version). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies pending migrations, each in its own transaction with its version bump. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new SchemaTooNewError(db.name, current, latest);
  }
  if (db.readonly) {
    if (current < latest) {
      throw new MigrationError(latest, new Error(`read-only database is at version ${current}; open it writable once`));
    }
    return;
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    const step = db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (err) {
      throw new MigrationError(m.version, err);
    }
  }
}

/** Result of SQLite's own consistency check: 'ok' or the list of problems it found. */
export function integrityCheck(db: Db): readonly string[] {
  const rows = db.pragma('integrity_check') as readonly { integrity_check: string }[];
  const fk = db.pragma('foreign_key_check') as readonly Record<string, unknown>[];
  return [...rows.map((r) => r.integrity_check), ...fk.map((r) => `foreign key: ${JSON.stringify(r)}`)];
}

export { SCHEMA_VERSION };

const statementCache = new WeakMap<Db, Map<string, Database.Statement<unknown[], unknown>>>();

/** A prepared statement for `sql`, prepared once per connection (preparing costs more than running small statements). */
export function stmt<P extends unknown[] = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s as unknown as Database.Statement<P, R>;
}
