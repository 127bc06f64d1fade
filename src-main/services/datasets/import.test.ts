import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDb, type TempDb } from '../../store/testing';
import { integrityCheck } from '../../store/db';
import { createProject } from '../projects';
import { unwrap } from '../errors';
import { importDataset, type ImportDatasetEvent, type Importer } from './import';
import { importFile } from '../../data/import';
import { listDatasets, listIncompleteImports } from './manage';
import { datasetStats, listExamples } from './examples';
import { previewFile } from './preview';
import { writeJsonl } from './testing';

let t: TempDb;
let projectId: number;
beforeEach(() => {
  t = tempDb();
  projectId = unwrap(createProject(t.db, { name: 'news' })).id;
});
afterEach(() => t.cleanup());

const LABELS = ['World', 'Sports', 'Business', 'Sci/Tech'];
function csv(rows: number, extra = ''): string {
  const lines = ['label,text'];
  for (let i = 0; i < rows; i++) lines.push(`${LABELS[i % 4]},"Story ${i} about topic ${i % 7}, with ""quotes"""`);
  return lines.join('\n') + '\n' + extra;
}

describe('importDataset', () => {
  it('imports a CSV with counts, skipped rows, duplicates, hash, mapping and stratified splits', async () => {
    const path = join(t.dir, 'news.csv');
    // line 402: unknown label (skipped); line 403: a duplicate of line 2's text
    writeFileSync(path, csv(400, 'Weather,"Rain again"\nWorld,"Story 0 about topic 0, with ""quotes"""\n'));
    const events: ImportDatasetEvent[] = [];
    const s = unwrap(
      await importDataset(t.db, { projectId, path, labels: LABELS, batchSize: 64 }, { onEvent: (e) => events.push(e) }),
    );
    expect(s).toMatchObject({ rowsRead: 402, examples: 400, skipped: 1, duplicates: 1, resumedAfterLine: null });
    expect(s.skippedRows).toEqual([{ line: 402, reason: expect.stringMatching(/Weather/) }]);
    expect(s.duplicateRows).toEqual([{ line: 403, firstLine: 2 }]);
    expect(s.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(events[0]).toMatchObject({ kind: 'started', datasetId: s.datasetId });
    expect(events.filter((e) => e.kind === 'progress').length).toBeGreaterThanOrEqual(6);
    expect(events.at(-1)).toMatchObject({ kind: 'done' });

    const [d] = unwrap(listDatasets(t.db, { projectId }));
    expect(d).toMatchObject({ id: s.datasetId, status: 'ready', name: 'news.csv', format: 'csv', examples: 400 });
    expect(d.mapping).toMatchObject({ labels: LABELS });
    const stats = unwrap(datasetStats(t.db, { datasetId: d.id }));
    expect(stats.total).toBe(400);
    for (const l of LABELS) expect(stats.byClass[l]).toEqual({ train: 80, dev: 10, test: 10 });
    expect(integrityCheck(t.db)).toEqual(['ok']);
  });

  it('keeps imported spans as accepted gold and honours a fixed split', async () => {
    const path = writeJsonl(t.dir, 'ner.jsonl', [
      {
        text: 'Acme hires Bob',
        spans: [
          { start: 0, end: 4, label: 'ORG' },
          { start: 11, end: 14, label: 'PER' },
        ],
      },
      { text: 'Nothing here' },
    ]);
    const s = unwrap(await importDataset(t.db, { projectId, path, split: { mode: 'fixed', split: 'dev' } }));
    const page = unwrap(listExamples(t.db, { datasetId: s.datasetId }));
    expect(page.items.map((e) => e.split)).toEqual(['dev', 'dev']);
    expect(page.items[0].spans.map((x) => [x.type, x.source, x.status])).toEqual([
      ['ORG', 'gold', 'accepted'],
      ['PER', 'gold', 'accepted'],
    ]);
  });

  it('rolls the whole dataset back when the file turns out to be unreadable', async () => {
    const path = join(t.dir, 'broken.csv');
    writeFileSync(path, csv(300, 'World,"never closed\n'));
    const r = await importDataset(t.db, { projectId, path, batchSize: 50 });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/quote/) } });
    expect(t.db.prepare('SELECT count(*) AS n FROM examples').get()).toEqual({ n: 0 });
    expect(t.db.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 0 });
  });

  it('cancels cleanly when aborted', async () => {
    const path = join(t.dir, 'big.csv');
    writeFileSync(path, csv(3000));
    const ac = new AbortController();
    const r = await importDataset(
      t.db,
      { projectId, path, batchSize: 100 },
      { signal: ac.signal, onEvent: (e) => e.kind === 'progress' && ac.abort() },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(unwrap(listIncompleteImports(t.db, { projectId }))).toEqual([]);
    expect(t.db.prepare('SELECT count(*) AS n FROM examples').get()).toEqual({ n: 0 });
  });

  it('rejects bad paths and unknown projects with actionable errors', async () => {
    expect(await importDataset(t.db, { projectId, path: 'relative.csv' })).toMatchObject({
      ok: false,
      error: { code: 'path_rejected' },
    });
    expect(await importDataset(t.db, { projectId, path: join(t.dir, 'missing.csv') })).toMatchObject({
      ok: false,
      error: { code: 'path_rejected' },
    });
    const path = writeJsonl(t.dir, 'a.jsonl', [{ text: 'x' }]);
    expect(await importDataset(t.db, { projectId: 999, path })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const bad = await importDataset(t.db, {
      projectId,
      path,
      split: { mode: 'stratified', train: 0, dev: 0, test: 0 },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [expect.stringMatching(/^split/)] },
    });
  });
});

describe('previewFile', () => {
  it('shows columns, the suggested mapping and first rows', async () => {
    const path = join(t.dir, 'news.csv');
    writeFileSync(path, csv(50));
    const p = unwrap(await previewFile({ path, rows: 5 }));
    expect(p.columns).toEqual(['label', 'text']);
    expect(p.rows).toHaveLength(5);
    expect(p.examples[0]).toMatchObject({ label: 'World', text: 'Story 0 about topic 0, with "quotes"' });
  });
});

describe('importDataset while the same import runs', () => {
  it('refuses to resume an import that this process is still writing', async () => {
    const path = join(t.dir, 'news.csv');
    writeFileSync(path, csv(300));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    // The first import pauses after its first committed batch, holding the dataset in 'importing'.
    const paused: Importer = async function* (p, o) {
      let n = 0;
      for await (const ev of importFile(p, o)) {
        yield ev;
        if (ev.kind === 'example' && ++n === 150) await gate;
      }
    };
    let second: Awaited<ReturnType<typeof importDataset>> | null = null;
    const first = importDataset(
      t.db,
      { projectId, path, batchSize: 100 },
      {
        importer: paused,
        onEvent: (e) => {
          if (e.kind === 'progress' && second === null) {
            void importDataset(t.db, { projectId, path, batchSize: 100 }).then((r) => {
              second = r;
              release();
            });
          }
        },
      },
    );
    expect(unwrap(await first)).toMatchObject({ examples: 300, resumedAfterLine: null });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/already being imported/) },
    });
    expect(unwrap(listDatasets(t.db, { projectId }))).toHaveLength(1);
  });
});
