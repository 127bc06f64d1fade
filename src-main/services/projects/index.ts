// Project use-cases. Inputs are the zod schemas' output (the dispatcher validated them); failures throw.
import { z } from 'zod';
import { IdSchema } from './ids';
import type { Db } from '../../store/db';
import * as repo from '../../store/repos/projects';
import type { Project } from '../../store/types';

export const CreateProjectInput = z.object({
  name: z.string().trim().min(1, 'a project needs a name').max(120),
  description: z.string().max(2000).default(''),
});
export type CreateProjectInput = z.output<typeof CreateProjectInput>;

export const ProjectIdInput = z.object({ projectId: IdSchema });
export type ProjectIdInput = z.output<typeof ProjectIdInput>;

/** Creates a project; names are unique (ConstraintError, i.e. conflict, otherwise). */
export function createProject(db: Db, { name, description }: CreateProjectInput): Project {
  return repo.insertProject(db, name, description);
}

/** All projects, oldest first. */
export function listProjects(db: Db, options: { readonly includeDeleted?: boolean } = {}): readonly Project[] {
  return repo.listProjects(db, options);
}

/** One project by id (NotFoundError when there is none). */
export function getProject(db: Db, { projectId }: ProjectIdInput): Project {
  return repo.getProject(db, projectId);
}

/** Deletes a project and everything in it; files on disk (run folders, exports) are left alone. */
export function deleteProject(db: Db, { projectId }: ProjectIdInput): { readonly deleted: number } {
  repo.deleteProject(db, projectId);
  return { deleted: projectId };
}
