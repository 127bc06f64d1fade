import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiEvent, DatasetHealthInfo, ImportSummary, ProjectInfo } from '../../../src-preload/contract';
import { writeTinyBert } from '../../engine/model/testing';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';

const fixture = testTable();
const events: ApiEvent[] = [];
const dispatch = createDispatcher(fixture.table, { emit: (e) => events.push(e) });
const dir = mkdtempSync(path.join(tmpdir(), 'mts-health-methods-'));
afterAll(() => {
  fixture.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function ok<T>(method: string, input: unknown): Promise<T> {
  const result = await dispatch(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe('health.* methods', () => {
  it('checks a dataset, returns the named examples, reads it back and accepts a drop that undo reverts', async () => {
    const modelDir = path.join(dir, 'bert');
    writeTinyBert(modelDir, { maxPositions: 64, seed: 3 });
    const file = path.join(dir, 'd.jsonl');
    const texts = ['the market rose today', 'police said the city was quiet', 'The market rose today!', 'the team won'];
    writeFileSync(file, texts.map((t, i) => JSON.stringify({ text: t, label: i === 2 ? 'b' : 'a' })).join('\n') + '\n');
    const project = await ok<ProjectInfo>('projects.create', { name: 'health' });
    const imported = await ok<ImportSummary>('datasets.import', {
      projectId: project.id,
      path: file,
      keepDuplicates: true,
      split: { mode: 'fixed', split: 'train' },
    });
    const datasetId = imported.datasetId;
    expect(await ok('health.latest', { datasetId })).toBeNull();
    const done = await ok<DatasetHealthInfo>('health.check', { datasetId, modelDir, maxLength: 32 });
    const [a, c] = done.report.exactDuplicates[0]!.lines;
    expect(done.examples[c!]).toEqual({ text: 'The market rose today!', classLabel: 'b' });
    expect(events.some((e) => e.type === 'health.progress' && e.stage === 'embed')).toBe(true);
    expect((await ok<DatasetHealthInfo>('health.latest', { datasetId })).id).toBe(done.id);

    await ok('health.accept', { action: 'drop', exampleId: c });
    expect((await ok<DatasetHealthInfo>('health.latest', { datasetId })).stale).toBe(true);
    await ok('annotate.undo', { projectId: project.id });
    expect((await ok<DatasetHealthInfo>('health.latest', { datasetId })).stale).toBe(false);
    expect(a).toBeLessThan(c!);

    const bad = await dispatch('health.accept', { action: 'relabel', exampleId: c });
    expect(bad.ok === false && bad.error.code).toBe('invalid_input');
  });
});
