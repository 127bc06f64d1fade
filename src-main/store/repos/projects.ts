// Projects repository.
import { stmt, type Db } from '../db';
import { ConstraintError, NotFoundError } from '../errors';
import { nowIso, type Project } from '../types';

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_at: string;
}

function toProject(r: ProjectRow): Project {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at };
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
  return { id: Number(info.lastInsertRowid), name, description, createdAt };
}

/** All projects, oldest first. */
export function listProjects(db: Db): readonly Project[] {
  return stmt<[], ProjectRow>(db, 'SELECT * FROM projects ORDER BY id').all().map(toProject);
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
