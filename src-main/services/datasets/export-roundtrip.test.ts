import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDb, type TempDb } from '../../store/testing';
import { insertSpan } from '../../store/repos/spans';
import { setModelClass } from '../../store/repos/examples';
import { createProject, CreateProjectInput } from '../projects';
import { exportDataset, ExportDatasetInput } from './export';
import { importDataset } from './import';
import { listExamples, ListExamplesInput } from './examples';
import { ImportDatasetInput } from './schemas';

let t: TempDb;
let projectId: number;
let out: string;
beforeEach(() => {
  t = tempDb();
  projectId = createProject(t.db, CreateProjectInput.parse({ name: 'Round trip' })).id;
  out = join(t.dir, 'exports');
  mkdirSync(out);
});
afterEach(() => t.cleanup());

/** Imports a file into the test project, all examples in train. */
async function load(path: string): Promise<number> {
  const s = await importDataset(
    t.db,
    ImportDatasetInput.parse({ projectId, path, split: { mode: 'fixed', split: 'train' }, keepDuplicates: true }),
  );
  return s.datasetId;
}

/** What an example is, for comparison: text, class label and non-rejected spans. */
function examplesOf(datasetId: number): unknown[] {
  return listExamples(t.db, ListExamplesInput.parse({ datasetId, limit: 500 })).items.map((e) => ({
    text: e.text,
    label: e.classLabel,
    spans: e.spans.filter((s) => s.status !== 'rejected').map((s) => [s.start, s.end, s.type]),
  }));
}

async function exportAs(datasetId: number, format: 'conll' | 'jsonl' | 'csv', extra: object = {}): Promise<string> {
  const fileName = `out-${datasetId}-${Math.random().toString(36).slice(2)}.${format}`;
  await exportDataset(t.db, ExportDatasetInput.parse({ datasetId, folder: out, fileName, format, ...extra }));
  return join(out, fileName);
}

// Texts with quotes, commas, newlines, tabs inside, CRLF, unicode (accents, CJK, emoji with ZWJ) and one
// that looks like a number; spans on words, including a non-BMP one.
const TRICKY = [
  { text: 'He said "hi, there" to Bob', label: 'World', spans: [{ start: 23, end: 26, label: 'PER' }] },
  { text: 'Line one,\nline two with, commas', label: 'Sports' },
  { text: 'Crème brûlée in 東京 🤦🏼‍♂️ today', label: 'World', spans: [{ start: 16, end: 18, label: 'LOC' }] },
  { text: 'Windows\r\nline end and "quoted" end"', label: 'Sci/Tech' },
  { text: '42', label: 'Business' },
  {
    text: 'Angela Merkel visits Paris',
    spans: [
      { start: 0, end: 13, label: 'PER' },
      { start: 21, end: 26, label: 'LOC' },
    ],
  },
  { text: 'tab\tinside, and a trailing quote"', label: 'Sports' },
];

describe('export -> import round trip', () => {
  for (const format of ['jsonl', 'csv'] as const) {
    it(`${format}: import -> export -> import gives identical texts, labels and spans`, async () => {
      const src = join(t.dir, 'src.jsonl');
      writeFileSync(src, TRICKY.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const a = await load(src);
      const file = await exportAs(a, format);
      const b = await load(file);
      expect(examplesOf(b)).toEqual(examplesOf(a));
      expect(examplesOf(a)).toHaveLength(TRICKY.length);
      // And once more from the exported file: export of the re-import is byte-identical.
      const again = await exportAs(b, format);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('conll: import -> export -> import gives identical tokens, labels and IOB2 spans', async () => {
    const src = join(t.dir, 'src.conll');
    writeFileSync(
      src,
      [
        '-DOCSTART- O',
        '',
        '# label = World',
        'Angela B-PER',
        'Merkel I-PER',
        '" O',
        'visited O',
        ', O',
        '東京 B-LOC',
        '🤦🏼‍♂️ O',
        '',
        'Crème B-ORG',
        'brûlée I-ORG',
        'SA I-ORG',
        "'s O",
        '3.5 O',
        '',
        '# label = Sports',
        'Paris I-LOC',
        'wins O',
        '',
      ].join('\n'),
    );
    const a = await load(src);
    expect(examplesOf(a)).toEqual([
      {
        text: 'Angela Merkel " visited , 東京 🤦🏼‍♂️',
        label: 'World',
        spans: [
          [0, 13, 'PER'],
          [26, 28, 'LOC'],
        ],
      },
      { text: "Crème brûlée SA 's 3.5", label: null, spans: [[0, 15, 'ORG']] },
      { text: 'Paris wins', label: 'Sports', spans: [[0, 5, 'LOC']] },
    ]);
    const file = await exportAs(a, 'conll');
    expect(readFileSync(file, 'utf8')).toContain('# label = Sports\nParis B-LOC\nwins O\n');
    const b = await load(file);
    expect(examplesOf(b)).toEqual(examplesOf(a));
  });

  it('conll keeps texts that are plain words separated by single spaces, labels included', async () => {
    const src = join(t.dir, 'plain.jsonl');
    const rows = [TRICKY[0], TRICKY[2], TRICKY[4], TRICKY[5]];
    writeFileSync(src, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const a = await load(src);
    const b = await load(await exportAs(a, 'conll'));
    // "Bob" stays one word; "東京" is a whole span, so the whitespace words are kept and the text comes back.
    expect(examplesOf(b)).toEqual(examplesOf(a));
  });
});

describe('export sources and splits', () => {
  it('writes gold only by default; silver and model spans and labels only when included, never over gold', async () => {
    const src = join(t.dir, 'src.jsonl');
    writeFileSync(
      src,
      [
        { text: 'Bob met Alice in Rome', label: 'World', spans: [{ start: 0, end: 3, label: 'PER' }] },
        { text: 'Nothing labelled here' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const a = await load(src);
    const [first, second] = listExamples(t.db, ListExamplesInput.parse({ datasetId: a, limit: 10 })).items;
    const span = (exampleId: number, start: number, end: number, type: string, source: 'silver' | 'model') =>
      insertSpan(t.db, { exampleId, start, end, type, source, status: 'pending' });
    span(first.id, 8, 13, 'PER', 'silver');
    span(first.id, 0, 7, 'ORG', 'silver'); // overlaps gold "Bob": gold wins
    span(first.id, 17, 21, 'LOC', 'model');
    span(first.id, 8, 13, 'ORG', 'model'); // overlaps silver "Alice": silver wins
    setModelClass(t.db, second.id, 'Sports', 0.9, new Date().toISOString());

    const read = (file: string): unknown[] =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
    expect(read(await exportAs(a, 'jsonl'))).toEqual([
      { text: 'Bob met Alice in Rome', label: 'World', spans: [{ start: 0, end: 3, label: 'PER' }] },
      { text: 'Nothing labelled here', spans: [] },
    ]);
    expect(read(await exportAs(a, 'jsonl', { include: ['silver'] }))).toEqual([
      {
        text: 'Bob met Alice in Rome',
        label: 'World',
        spans: [
          { start: 0, end: 3, label: 'PER' },
          { start: 8, end: 13, label: 'PER' },
        ],
      },
      { text: 'Nothing labelled here', spans: [] },
    ]);
    expect(read(await exportAs(a, 'jsonl', { include: ['silver', 'model'] }))).toEqual([
      {
        text: 'Bob met Alice in Rome',
        label: 'World',
        spans: [
          { start: 0, end: 3, label: 'PER' },
          { start: 8, end: 13, label: 'PER' },
          { start: 17, end: 21, label: 'LOC' },
        ],
      },
      { text: 'Nothing labelled here', label: 'Sports', spans: [] },
    ]);
  });

  it('exports one split when asked', async () => {
    const src = join(t.dir, 'src.jsonl');
    writeFileSync(
      src,
      Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `row ${i}`, label: i % 2 ? 'a' : 'b' })).join('\n'),
    );
    const s = await importDataset(
      t.db,
      ImportDatasetInput.parse({ projectId, path: src, split: { mode: 'stratified', train: 8, dev: 1, test: 1 } }),
    );
    const dev = listExamples(t.db, ListExamplesInput.parse({ datasetId: s.datasetId, split: 'dev', limit: 50 }));
    const file = await exportAs(s.datasetId, 'csv', { split: 'dev' });
    const lines = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('text,label,spans');
    expect(lines.slice(1).sort()).toEqual(dev.items.map((e) => `${e.text},${e.classLabel},`).sort());
  });
});
