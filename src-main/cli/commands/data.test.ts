import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../services/app/db';
import { importDataset, ImportDatasetInput } from '../../services/datasets';
import { createProject, CreateProjectInput } from '../../services/projects';
import { openDb } from '../../store/db';
import { importAll } from '../../data/import';
import { runCli } from '../run-cli';
import { type CapturedEnv, capturedEnv } from '../testing';

const dir = mkdtempSync(path.join(tmpdir(), 'mts-cli-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (): CapturedEnv => capturedEnv({ rendererDir: dir, version: 't' });

const ROWS = [
  { text: 'Bob, "the builder", visits Paris', label: 'World', spans: [{ start: 27, end: 32, label: 'LOC' }] },
  { text: 'Zürich\nwins 東京 cup', label: 'Sports' },
];

beforeAll(async () => {
  const db = openDb(path.join(dir, DB_FILE_NAME));
  const project = createProject(db, CreateProjectInput.parse({ name: 'News' }));
  const src = path.join(dir, 'src.jsonl');
  writeFileSync(src, ROWS.map((r) => JSON.stringify(r)).join('\n'));
  await importDataset(
    db,
    ImportDatasetInput.parse({
      projectId: project.id,
      path: src,
      name: 'headlines',
      split: { mode: 'fixed', split: 'dev' },
    }),
  );
  db.close();
});

describe('mts data export', () => {
  it('writes each format by project and dataset name, and the file imports back unchanged', async () => {
    for (const format of ['jsonl', 'csv', 'conll'] as const) {
      const out = path.join(dir, `out.${format}`);
      const e = env();
      const code = await runCli(
        [
          'data',
          'export',
          '--project',
          'News',
          '--dataset',
          'headlines',
          '--format',
          format,
          '--out',
          out,
          '--data-dir',
          dir,
          '--split',
          'dev',
        ],
        e.value,
      );
      expect(code, e.err.join('\n')).toBe(0);
      expect(e.out.join('\n')).toMatch(/Wrote 2 examples with 1 spans from "headlines"/);
      const back = await importAll(out);
      const got = back.examples.map((x) => ({ text: x.text, label: x.label, spans: x.spans ?? [] }));
      const want = ROWS.map((r) => ({
        text: format === 'conll' ? r.text.replace('\n', ' ') : r.text,
        label: r.label,
        spans: (r.spans ?? []).map((s) => ({ start: s.start, end: s.end, type: s.label })),
      }));
      if (format === 'conll') expect(got.map((g) => g.label)).toEqual(['World', 'Sports']);
      else expect(got).toEqual(want);
    }
    expect(readFileSync(path.join(dir, 'out.csv'), 'utf8').split('\r\n')[0]).toBe('text,label,spans');
  });

  it('refuses unknown names, a bad --include and a missing database with a sentence', async () => {
    const out = path.join(dir, 'x.jsonl');
    const base = ['data', 'export', '--format', 'jsonl', '--out', out, '--data-dir', dir];
    const a = env();
    expect(await runCli([...base, '--project', 'Nope', '--dataset', 'headlines'], a.value)).not.toBe(0);
    expect(a.err.join('\n')).toMatch(/No project "Nope"; the projects are: "News"/);
    const b = env();
    expect(await runCli([...base, '--project', 'News', '--dataset', 'other'], b.value)).not.toBe(0);
    expect(b.err.join('\n')).toMatch(/no dataset "other"; its datasets are: "headlines"/);
    const c = env();
    expect(await runCli([...base, '--project', 'News', '--dataset', 'headlines', '--include', 'gold'], c.value)).toBe(
      2,
    );
    expect(c.err.join('\n')).toMatch(/--include takes silver and\/or model/);
    const d = env();
    const empty = mkdtempSync(path.join(tmpdir(), 'mts-cli-empty-'));
    expect(
      await runCli(
        ['data', 'export', '--project', 'News', '--dataset', 'x', '--format', 'csv', '--out', out, '--data-dir', empty],
        d.value,
      ),
    ).not.toBe(0);
    expect(d.err.join('\n')).toMatch(/No project database in/);
    rmSync(empty, { recursive: true, force: true });
  });
});
