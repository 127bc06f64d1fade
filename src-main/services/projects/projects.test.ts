import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import { integrityCheck } from '../../store/db';
import { unwrap } from '../errors';
import { projectWithRows } from '../datasets/testing';
import { createProject, deleteProject, getProject, listProjects } from './index';
import { createRun } from '../runs';

let t: TempDb;
beforeEach(() => (t = tempDb()));
afterEach(() => t.cleanup());

describe('projects', () => {
  it('creates, lists, gets and refuses duplicate or empty names', () => {
    const a = unwrap(createProject(t.db, { name: '  News  ', description: 'AG News' }));
    expect(a).toMatchObject({ name: 'News', description: 'AG News' });
    expect(unwrap(getProject(t.db, { projectId: String(a.id) })).id).toBe(a.id);
    expect(createProject(t.db, { name: 'News' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/already exists/) },
    });
    expect(createProject(t.db, { name: ' ' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [expect.stringMatching(/^name/)] },
    });
    expect(getProject(t.db, { projectId: 'abc' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(getProject(t.db, { projectId: 77 })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringMatching(/77/) },
    });
    expect(unwrap(listProjects(t.db)).map((p) => p.name)).toEqual(['News']);
  });

  it('deletes a project with its datasets, examples, spans and runs', async () => {
    const { projectId } = await projectWithRows(t.db, t.dir, [
      { text: 'Acme', spans: [{ start: 0, end: 4, label: 'ORG' }] },
    ]);
    unwrap(
      createRun(t.db, {
        projectId,
        name: 'r',
        config: {},
        preset: 'p',
        modelPath: '/m',
        dataHash: 'b'.repeat(64),
        deviceRequested: 'cpu',
      }),
    );
    unwrap(deleteProject(t.db, { projectId }));
    for (const table of ['datasets', 'examples', 'spans', 'runs']) {
      expect(t.db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(integrityCheck(t.db)).toEqual(['ok']);
    expect(deleteProject(t.db, { projectId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
