import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDb, type TempDb } from '../../store/testing';
import { projectWithRows } from './testing';
import { exportDataset, ExportDatasetInput } from './export';
import { importDataset } from './import';
import { listExamples, ListExamplesInput } from './examples';
import { ImportDatasetInput } from './schemas';
import { rejectSpan } from '../annotate/edits';

let t: TempDb;
let projectId: number;
let datasetId: number;
let out: string;
const rows = Array.from({ length: 1200 }, (_, i) => ({
  text: `Acme ${i} met Bob in Paris 🤦🏼‍♂️ today`,
  label: i % 2 === 0 ? 'World' : 'Business',
  spans: [
    { start: 0, end: 4, label: 'ORG' },
    { start: 9 + String(i).length, end: 12 + String(i).length, label: 'PER' },
  ],
}));
beforeEach(async () => {
  t = tempDb();
  const r = await projectWithRows(t.db, t.dir, rows, { split: { mode: 'fixed', split: 'train' } });
  projectId = r.projectId;
  datasetId = r.summary.datasetId;
  out = join(t.dir, 'exports');
  mkdirSync(out);
});
afterEach(() => t.cleanup());

/** Export input for the test's dataset and folder, parsed as the dispatcher would. */
const exportInput = (x: { fileName: string; format: 'jsonl' | 'conll'; folder?: string }) =>
  ExportDatasetInput.parse({ datasetId, folder: out, ...x });

describe('exportDataset', () => {
  it('round-trips through JSONL: re-import gives back the same texts, labels and spans', async () => {
    const first = listExamples(t.db, ListExamplesInput.parse({ datasetId, limit: 1 })).items[0];
    rejectSpan(t.db, { spanId: first.spans[1].id });
    const report = await exportDataset(t.db, exportInput({ fileName: 'sub/../all.jsonl', format: 'jsonl' }));
    expect(report).toMatchObject({ examples: 1200, spans: 2399 });
    expect(readdirSync(out)).toEqual(['all.jsonl']); // no .partial left behind
    const again = await importDataset(
      t.db,
      ImportDatasetInput.parse({ projectId, path: join(out, 'all.jsonl'), split: { mode: 'fixed', split: 'train' } }),
    );
    const a = listExamples(t.db, ListExamplesInput.parse({ datasetId, limit: 500, offset: 0 })).items;
    const b = listExamples(t.db, ListExamplesInput.parse({ datasetId: again.datasetId, limit: 500, offset: 0 })).items;
    const view = (e: (typeof a)[number]) => [
      e.text,
      e.classLabel,
      e.spans.filter((s) => s.status !== 'rejected').map((s) => [s.start, s.end, s.type]),
    ];
    expect(b.map(view)).toEqual(a.map(view));
  });

  it('writes only inside the chosen folder', async () => {
    const escape = exportDataset(t.db, exportInput({ fileName: '../escaped.jsonl', format: 'jsonl' }));
    await expect(escape).rejects.toMatchObject({ code: 'path_rejected' });
    mkdirSync(join(t.dir, 'elsewhere'));
    symlinkSync(join(t.dir, 'elsewhere'), join(out, 'link'));
    const viaLink = exportDataset(t.db, exportInput({ fileName: 'link/x.conll', format: 'conll' }));
    await expect(viaLink).rejects.toMatchObject({ code: 'path_rejected' });
    expect(readdirSync(join(t.dir, 'elsewhere'))).toEqual([]);
    expect(existsSync(join(t.dir, 'escaped.jsonl'))).toBe(false);
    const rel = exportDataset(t.db, exportInput({ folder: 'exports', fileName: 'x.jsonl', format: 'jsonl' }));
    await expect(rel).rejects.toMatchObject({ code: 'path_rejected' });
  });
});
