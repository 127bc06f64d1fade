import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectInfo } from '../../../src-preload/contract';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';

const fixture = testTable();
const dispatch = createDispatcher(fixture.table, { emit: () => undefined });
afterAll(() => fixture.cleanup());

async function ok<T>(method: string, input: unknown): Promise<T> {
  const result = await dispatch(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe('projects over the contract', () => {
  it('creates and lists projects; a duplicate name is a conflict', async () => {
    const created = await ok<ProjectInfo>('projects.create', { name: 'News', description: 'AG-style' });
    expect(created).toMatchObject({ name: 'News', description: 'AG-style' });
    expect(typeof created.id).toBe('number');
    expect(await ok<ProjectInfo[]>('projects.list', {})).toEqual([created]);
    const again = await dispatch('projects.create', { name: 'News' });
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/already exists/) },
    });
  });

  it('rejects an empty project name with invalid_input naming the field; trims names', async () => {
    expect(await dispatch('projects.create', { name: '  ' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [expect.stringMatching(/^name/)] },
    });
    const trimmed = await ok<ProjectInfo>('projects.create', { name: '  Sports  ' });
    expect(trimmed).toMatchObject({ name: 'Sports', description: '' });
  });
});
