import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, DatasetInfo, ImportSummary, ProjectInfo } from '../../../src-preload/contract';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';

const fixture = testTable();
const events: ApiEvent[] = [];
const dispatch = createDispatcher(fixture.table, { emit: (e) => events.push(e) });
const filesDir = mkdtempSync(path.join(tmpdir(), 'mts-files-'));
afterAll(() => {
  fixture.cleanup();
  rmSync(filesDir, { recursive: true, force: true });
});

/** A small labelled CSV written by the test itself (no shared data needed). */
function writeCsv(rows: number): string {
  const file = path.join(filesDir, `news-${rows}.csv`);
  const labels = ['World', 'Sports', 'Business', 'Sci/Tech'];
  const lines = ['label,text'];
  for (let i = 0; i < rows; i += 1)
    lines.push(`${labels[i % 4]},"Headline number ${i} about ${labels[i % 4].toLowerCase()} in town ${i * 7}"`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function ok<T>(method: string, input: unknown): Promise<T> {
  const result = await dispatch(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

let project: ProjectInfo;
beforeAll(async () => {
  project = await ok<ProjectInfo>('projects.create', { name: 'News' });
});

describe('datasets over the contract', () => {
  it('previews, imports with progress events, lists and counts a dataset', async () => {
    const file = writeCsv(40);
    const preview = await ok<{ columns: string[]; rows: string[][] }>('datasets.preview', { path: file, rows: 3 });
    expect(preview.columns).toEqual(['label', 'text']);
    expect(preview.rows).toHaveLength(3);

    events.length = 0;
    const summary = await ok<ImportSummary>('datasets.import', {
      projectId: project.id,
      path: file,
      split: { mode: 'stratified', train: 8, dev: 1, test: 1, seed: 1 },
    });
    expect(summary).toMatchObject({ rowsRead: 40, examples: 40, skipped: 0, duplicates: 0 });
    expect(summary.labels.slice().sort()).toEqual(['Business', 'Sci/Tech', 'Sports', 'World']);
    const kinds = events
      .filter((e) => e.type === 'datasets.import')
      .map((e) => (e.type === 'datasets.import' ? e.progress.kind : ''));
    expect(kinds[0]).toBe('started');
    expect(kinds.at(-1)).toBe('done');

    const datasets = await ok<DatasetInfo[]>('datasets.list', { projectId: project.id });
    expect(datasets.map((d) => [d.id, d.examples])).toEqual([[summary.datasetId, 40]]);
    const stats = await ok<{ total: number; byClass: Record<string, Record<string, number>> }>('datasets.stats', {
      datasetId: summary.datasetId,
    });
    expect(stats.total).toBe(40);
    expect(Object.values(stats.byClass.World ?? {}).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('cancels a running import: the call fails with cancelled and nothing is kept', async () => {
    const file = writeCsv(3000);
    let cancelled: unknown = null;
    const cancelling = createDispatcher(fixture.table, {
      emit: (e) => {
        // Cancel as soon as the import reports it has started (before its first batch is committed).
        if (e.type === 'datasets.import' && e.progress.kind === 'started' && cancelled === null) {
          cancelled = dispatch('datasets.cancelImport', { path: file });
        }
      },
    });
    const result = await cancelling('datasets.import', { projectId: project.id, path: file, batchSize: 100 });
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: true } });
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    const datasets = await ok<DatasetInfo[]>('datasets.list', { projectId: project.id });
    expect(datasets.some((d) => d.sourcePath === file)).toBe(false);
    expect(await ok('datasets.cancelImport', { path: file })).toEqual({ cancelled: false });
  });

  it('refuses relative and missing paths with a readable error', async () => {
    const relative = await dispatch('datasets.preview', { path: 'news.csv' });
    expect(relative).toMatchObject({ ok: false });
    if (!relative.ok) expect(relative.error.message).toMatch(/absolute/i);
    const missing = await dispatch('datasets.preview', { path: path.join(filesDir, 'nope.csv') });
    expect(missing.ok).toBe(false);
  });

  it('reports unknown ids as not_found', async () => {
    expect(await dispatch('datasets.list', { projectId: 999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('accepts ids given as decimal strings and refuses other strings with invalid_input', async () => {
    expect(await ok<DatasetInfo[]>('datasets.list', { projectId: String(project.id) })).toEqual(
      await ok<DatasetInfo[]>('datasets.list', { projectId: project.id }),
    );
    expect(await dispatch('datasets.list', { projectId: 'abc' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [expect.stringMatching(/^projectId/)] },
    });
  });

  it('refuses all-zero split ratios with invalid_input naming the split', async () => {
    const file = writeCsv(4);
    const bad = await dispatch('datasets.import', {
      projectId: project.id,
      path: file,
      split: { mode: 'stratified', train: 0, dev: 0, test: 0 },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [expect.stringMatching(/^split/)] },
    });
  });

  it('refuses a stats call without exactly one of datasetId or projectId', async () => {
    for (const input of [{}, { datasetId: 1, projectId: project.id }]) {
      expect(await dispatch('datasets.stats', input)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
  });
});
