// Projects repository.
import type { Db } from '../db';
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
  const existing = db.prepare<[string], { id: number }>('SELECT id FROM projects WHERE name = ?').get(name);
  if (existing) {
    throw new ConstraintError(`A project named "${name}" already exists (id ${existing.id}): choose another name or open that project.`);
  }
  const createdAt = nowIso();
  const info = db
    .prepare<[string, string, string]>('INSERT INTO projects (name, description, created_at) VALUES (?, ?, ?)')
    .run(name, description, createdAt);
  return { id: Number(info.lastInsertRowid), name, description, createdAt };
}

/** All projects, oldest first. */
export function listProjects(db: Db): readonly Project[] {
  return db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY id').all().map(toProject);
}

/** One project or NotFoundError. */
export function getProject(db: Db, id: number): Project {
  const row = db.prepare<[number], ProjectRow>('SELECT * FROM projects WHERE id = ?').get(id);
  if (!row) throw new NotFoundError('project', id);
  return toProject(row);
}
