/**
 * Wiring of the project service to the contract's `projects.*` methods: the dispatcher validates with the
 * service's zod schema, the handler passes the parsed input straight through and maps store rows to the
 * contract's shapes, minting branded ids.
 */
import { z } from 'zod';
import type { ProjectInfo } from '../../../src-preload/contract';
import type { Project } from '../../store/types';
import type { DbHandle } from '../app/db';
import { defineMethod, projectId, type MethodSlice } from '../api';
import { createProject, CreateProjectInput, listProjects } from '.';

/** A stored project as the contract shapes it. */
export function toProjectInfo(p: Project): ProjectInfo {
  return {
    id: projectId(p.id),
    name: p.name,
    description: p.description,
    createdAt: p.createdAt,
    deletedAt: p.deletedAt,
  };
}

type ProjectMethods = 'projects.list' | 'projects.create';

/** Builds the `projects.*` methods over the database in `db`. */
export function projectMethods(db: DbHandle): MethodSlice<ProjectMethods> {
  return {
    'projects.list': defineMethod(
      'projects.list',
      z.strictObject({ includeDeleted: z.boolean().optional() }),
      async ({ includeDeleted }) =>
        listProjects(db.get(), { includeDeleted: includeDeleted ?? false }).map(toProjectInfo),
    ),
    'projects.create': defineMethod('projects.create', CreateProjectInput, async (input) =>
      toProjectInfo(createProject(db.get(), input)),
    ),
  };
}
