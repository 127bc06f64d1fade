import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import { integrityCheck } from '../../store/db';
import { NotFoundError } from '../../store/errors';
import { projectWithRows } from '../datasets/testing';
import { createProject, deleteProject, getProject, listProjects } from './index';
import { createRun } from '../runs';

let t: TempDb;
beforeEach(() => (t = tempDb()));
afterEach(() => t.cleanup());

describe('projects', () => {
  // Validation (trimmed names, empty names, ids given as strings) is the schema's job: see methods.test.ts.
  it('creates, lists, gets and refuses duplicate names or unknown ids', () => {
    const a = createProject(t.db, { name: 'News', description: 'AG News' });
    expect(a).toMatchObject({ name: 'News', description: 'AG News' });
    expect(getProject(t.db, { projectId: a.id }).id).toBe(a.id);
    // Store errors: the dispatcher reports ConstraintError as conflict and NotFoundError as not_found.
    expect(() => createProject(t.db, { name: 'News', description: '' })).toThrow(
      expect.objectContaining({ name: 'ConstraintError', message: expect.stringMatching(/already exists/) }),
    );
    expect(() => getProject(t.db, { projectId: 77 })).toThrow(
      expect.objectContaining({ name: 'NotFoundError', message: expect.stringMatching(/77/) }),
    );
    expect(listProjects(t.db).map((p) => p.name)).toEqual(['News']);
  });

  it('deletes a project with its datasets, examples, spans and runs', async () => {
    const { projectId } = await projectWithRows(t.db, t.dir, [
      { text: 'Acme', spans: [{ start: 0, end: 4, label: 'ORG' }] },
    ]);
    createRun(t.db, {
      projectId,
      name: 'r',
      config: {},
      preset: 'p',
      modelPath: '/m',
      dataHash: 'b'.repeat(64),
      deviceRequested: 'cpu',
    });
    deleteProject(t.db, { projectId });
    for (const table of ['datasets', 'examples', 'spans', 'runs']) {
      expect(t.db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(integrityCheck(t.db)).toEqual(['ok']);
    expect(() => deleteProject(t.db, { projectId })).toThrow(NotFoundError);
  });
});
