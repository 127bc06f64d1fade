import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDb, integrityCheck, schemaVersion, SCHEMA_VERSION } from './db';
import { MIGRATIONS } from './migrations';
import { MigrationError, SchemaTooNewError } from './errors';
import { tempDb, type TempDb } from './testing';
import { insertProject, listProjects } from './repos/projects';

let t: TempDb | null = null;
afterEach(() => {
  t?.cleanup();
  t = null;
});

describe('openDb', () => {
  it('applies migrations and the pragmas', () => {
    t = tempDb();
    expect(schemaVersion(t.db)).toBe(SCHEMA_VERSION);
    expect(t.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(t.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(t.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(integrityCheck(t.db)).toEqual(['ok']);
  });

  it('is idempotent when reopened', () => {
    t = tempDb();
    insertProject(t.db, 'p', '');
    t.db.close();
    const db = openDb(t.path);
    expect(listProjects(db).map((p) => p.name)).toEqual(['p']);
    db.close();
  });

  it('refuses a database written by a newer app, without touching it', () => {
    t = tempDb();
    t.db.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    t.db.close();
    expect(() => openDb(t!.path)).toThrow(SchemaTooNewError);
    expect(() => openDb(t!.path)).toThrow(/schema version \d+.*update the app/);
    const raw = new Database(t.path);
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 3);
    raw.close();
  });

  it('rolls a failing migration back and keeps the previous version', () => {
    t = tempDb();
    t.db.close();
    const bad = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        description: 'half good',
        up: 'CREATE TABLE extra (x INTEGER); INSERT INTO nope VALUES (1);',
      },
    ];
    expect(() => openDb(t!.path, { migrations: bad })).toThrow(MigrationError);
    const db = openDb(t.path);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'`).get()).toEqual({ n: 0 });
    db.close();
  });

  it('opens read-only without migrating, and refuses a missing file', () => {
    t = tempDb();
    insertProject(t.db, 'p', '');
    const ro = openDb(t.path, { readonly: true });
    expect(listProjects(ro).map((p) => p.name)).toEqual(['p']);
    expect(() => insertProject(ro, 'q', '')).toThrow(/readonly/i);
    ro.close();
    expect(() => openDb(`${t!.path}.missing`, { readonly: true })).toThrow();
  });

  it('enforces foreign keys', () => {
    t = tempDb();
    expect(() =>
      t!.db
        .prepare(
          `INSERT INTO datasets (project_id, name, source_path, sha256, format, mapping_json, options_json, status, created_at)
                  VALUES (999, 'd', '/x', 'h', 'csv', '{}', '{}', 'ready', 'now')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe('WAL concurrency', () => {
  it('lets a second connection read the last committed state while a write transaction is open', () => {
    t = tempDb();
    insertProject(t.db, 'before', '');
    const reader = openDb(t.path);
    t.db.exec('BEGIN IMMEDIATE');
    insertProject(t.db, 'inside', '');
    // The reader neither blocks nor sees the uncommitted row.
    const started = performance.now();
    expect(listProjects(reader).map((p) => p.name)).toEqual(['before']);
    expect(performance.now() - started).toBeLessThan(1000);
    t.db.exec('COMMIT');
    expect(listProjects(reader).map((p) => p.name)).toEqual(['before', 'inside']);
    reader.close();
  });

  it('makes a second writer wait for busy_timeout and then fail with SQLITE_BUSY', () => {
    t = tempDb();
    const other = openDb(t.path, { busyTimeoutMs: 50 });
    t.db.exec('BEGIN IMMEDIATE');
    expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
    t.db.exec('ROLLBACK');
    other.close();
  });
});
