// Projects repository.
import { stmt, type Db } from '../db';
import { ConstraintError, NotFoundError } from '../errors';
import { nowIso, type Project } from '../types';

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_at: string;
  deleted_at: string | null;
}

function toProject(r: ProjectRow): Project {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at, deletedAt: r.deleted_at };
}

/** Inserts a project; names are unique. */
export function insertProject(db: Db, name: string, description: string): Project {
  const existing = stmt<[string], { id: number }>(db, 'SELECT id FROM projects WHERE name = ?').get(name);
  if (existing) {
    throw new ConstraintError(
      `A project named "${name}" already exists (id ${existing.id}): choose another name or open that project.`,
    );
  }
  const createdAt = nowIso();
  const info = stmt<[string, string, string]>(
    db,
    'INSERT INTO projects (name, description, created_at) VALUES (?, ?, ?)',
  ).run(name, description, createdAt);
  return { id: Number(info.lastInsertRowid), name, description, createdAt, deletedAt: null };
}

/** Projects, oldest first: the live ones, and with `includeDeleted` also those deleted but kept for their runs. */
export function listProjects(db: Db, { includeDeleted = false } = {}): readonly Project[] {
  const sql = includeDeleted
    ? 'SELECT * FROM projects ORDER BY id'
    : 'SELECT * FROM projects WHERE deleted_at IS NULL ORDER BY id';
  return stmt<[], ProjectRow>(db, sql).all().map(toProject);
}

/** One project or NotFoundError. */
export function getProject(db: Db, id: number): Project {
  const row = stmt<[number], ProjectRow>(db, 'SELECT * FROM projects WHERE id = ?').get(id);
  if (!row) throw new NotFoundError('project', id);
  return toProject(row);
}

/** Deletes a project with everything in it (datasets, examples, spans, runs, history) by cascade. */
export function deleteProject(db: Db, id: number): void {
  getProject(db, id);
  stmt(db, 'DELETE FROM projects WHERE id = ?').run(id);
}

/**
 * Marks a project deleted but keeps its row (and so its runs): hidden from the project lists, renamed
 * `<name> (deleted <date>)` so that its name is free for a new project.
 */
export function markProjectDeleted(db: Db, id: number): Project {
  const p = getProject(db, id);
  const at = nowIso();
  const name = `${p.name} (deleted ${at.slice(0, 10)}, #${id})`;
  stmt<[string, string, number]>(db, 'UPDATE projects SET deleted_at = ?, name = ? WHERE id = ?').run(at, name, id);
  return getProject(db, id);
}
