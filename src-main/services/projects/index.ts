// Project use-cases.
import { z } from 'zod';
import { IdSchema } from './ids';
import type { Db } from '../../store/db';
import * as repo from '../../store/repos/projects';
import type { Project } from '../../store/types';
import { guard, parseInput, type Result } from '../errors';

export const CreateProjectInput = z.object({
  name: z.string().trim().min(1, 'a project needs a name').max(120),
  description: z.string().max(2000).default(''),
});
export type CreateProjectInput = z.input<typeof CreateProjectInput>;

export const ProjectIdInput = z.object({ projectId: IdSchema });
export type ProjectIdInput = z.input<typeof ProjectIdInput>;

/** Creates a project; names are unique (conflict otherwise). */
export function createProject(db: Db, input: unknown): Result<Project> {
  return guard(() => {
    const { name, description } = parseInput(CreateProjectInput, input, 'createProject input');
    return repo.insertProject(db, name, description);
  });
}

/** All projects, oldest first. */
export function listProjects(db: Db): Result<readonly Project[]> {
  return guard(() => repo.listProjects(db));
}

/** One project by id. */
export function getProject(db: Db, input: unknown): Result<Project> {
  return guard(() => repo.getProject(db, parseInput(ProjectIdInput, input, 'getProject input').projectId));
}

/** Deletes a project and everything in it; files on disk (run folders, exports) are left alone. */
export function deleteProject(db: Db, input: unknown): Result<{ readonly deleted: number }> {
  return guard(() => {
    const { projectId } = parseInput(ProjectIdInput, input, 'deleteProject input');
    repo.deleteProject(db, projectId);
    return { deleted: projectId };
  });
}
