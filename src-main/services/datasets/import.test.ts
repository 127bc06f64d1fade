import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDb, type TempDb } from '../../store/testing';
import { integrityCheck } from '../../store/db';
import type { z } from 'zod';
import { NotFoundError } from '../../store/errors';
import { createProject } from '../projects';
import { importDataset, type ImportDatasetEvent, type Importer } from './import';
import { importFile } from '../../data/import';
import { listDatasets, listIncompleteImports } from './manage';
import { datasetStats, listExamples, ListExamplesInput } from './examples';
import { previewFile } from './preview';
import { ImportDatasetInput, PreviewFileInput } from './schemas';
import { writeJsonl } from './testing';

// The services take validated input: parse it as the dispatcher would (defaults filled in).
const importInput = (x: z.input<typeof ImportDatasetInput>) => ImportDatasetInput.parse(x);
const listInput = (x: z.input<typeof ListExamplesInput>) => ListExamplesInput.parse(x);

let t: TempDb;
let projectId: number;
beforeEach(() => {
  t = tempDb();
  projectId = createProject(t.db, { name: 'news', description: '' }).id;
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
    const s = await importDataset(t.db, importInput({ projectId, path, labels: LABELS, batchSize: 64 }), {
      onEvent: (e) => events.push(e),
    });
    expect(s).toMatchObject({ rowsRead: 402, examples: 400, skipped: 1, duplicates: 1, resumedAfterLine: null });
    expect(s.skippedRows).toEqual([{ line: 402, reason: expect.stringMatching(/Weather/) }]);
    expect(s.duplicateRows).toEqual([{ line: 403, firstLine: 2 }]);
    expect(s.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(events[0]).toMatchObject({ kind: 'started', datasetId: s.datasetId });
    expect(events.filter((e) => e.kind === 'progress').length).toBeGreaterThanOrEqual(6);
    expect(events.at(-1)).toMatchObject({ kind: 'done' });

    const [d] = listDatasets(t.db, { projectId });
    expect(d).toMatchObject({ id: s.datasetId, status: 'ready', name: 'news.csv', format: 'csv', examples: 400 });
    expect(d.mapping).toMatchObject({ labels: LABELS });
    const stats = datasetStats(t.db, { datasetId: d.id });
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
    const s = await importDataset(t.db, importInput({ projectId, path, split: { mode: 'fixed', split: 'dev' } }));
    const page = listExamples(t.db, listInput({ datasetId: s.datasetId }));
    expect(page.items.map((e) => e.split)).toEqual(['dev', 'dev']);
    expect(page.items[0].spans.map((x) => [x.type, x.source, x.status])).toEqual([
      ['ORG', 'gold', 'accepted'],
      ['PER', 'gold', 'accepted'],
    ]);
  });

  it('rolls the whole dataset back when the file turns out to be unreadable', async () => {
    const path = join(t.dir, 'broken.csv');
    writeFileSync(path, csv(300, 'World,"never closed\n'));
    // An ImportError: the dispatcher reports it as invalid_input with this message.
    await expect(importDataset(t.db, importInput({ projectId, path, batchSize: 50 }))).rejects.toMatchObject({
      name: 'ImportError',
      message: expect.stringMatching(/quote/),
    });
    expect(t.db.prepare('SELECT count(*) AS n FROM examples').get()).toEqual({ n: 0 });
    expect(t.db.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 0 });
  });

  it('cancels cleanly when aborted', async () => {
    const path = join(t.dir, 'big.csv');
    writeFileSync(path, csv(3000));
    const ac = new AbortController();
    const r = importDataset(t.db, importInput({ projectId, path, batchSize: 100 }), {
      signal: ac.signal,
      onEvent: (e) => e.kind === 'progress' && ac.abort(),
    });
    await expect(r).rejects.toMatchObject({ code: 'cancelled' });
    expect(listIncompleteImports(t.db, { projectId })).toEqual([]);
    expect(t.db.prepare('SELECT count(*) AS n FROM examples').get()).toEqual({ n: 0 });
  });

  // Input validation (e.g. all-zero split ratios) is the schema's job: see methods.test.ts.
  it('rejects bad paths and unknown projects with actionable errors', async () => {
    await expect(importDataset(t.db, importInput({ projectId, path: 'relative.csv' }))).rejects.toMatchObject({
      code: 'path_rejected',
    });
    await expect(
      importDataset(t.db, importInput({ projectId, path: join(t.dir, 'missing.csv') })),
    ).rejects.toMatchObject({ code: 'not_found', title: 'File not found' });
    const path = writeJsonl(t.dir, 'a.jsonl', [{ text: 'x' }]);
    await expect(importDataset(t.db, importInput({ projectId: 999, path }))).rejects.toThrow(NotFoundError);
  });
});

describe('previewFile', () => {
  it('shows columns, the suggested mapping and first rows', async () => {
    const path = join(t.dir, 'news.csv');
    writeFileSync(path, csv(50));
    const p = await previewFile(PreviewFileInput.parse({ path, rows: 5 }));
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
    let second: unknown = null;
    const first = importDataset(t.db, importInput({ projectId, path, batchSize: 100 }), {
      importer: paused,
      onEvent: (e) => {
        if (e.kind === 'progress' && second === null) {
          importDataset(t.db, importInput({ projectId, path, batchSize: 100 })).then(
            (summary) => {
              second = summary;
              release();
            },
            (error: unknown) => {
              second = error;
              release();
            },
          );
        }
      },
    });
    expect(await first).toMatchObject({ examples: 300, resumedAfterLine: null });
    expect(second).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already being imported/) });
    expect(listDatasets(t.db, { projectId })).toHaveLength(1);
  });
});
