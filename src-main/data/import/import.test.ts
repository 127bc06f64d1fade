import fc from 'fast-check';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportEvent } from '../types';
import { CsvParser } from './csv';
import { ImportError, importAll, importFile, previewFile } from './index';

const dir = mkdtempSync(join(tmpdir(), 'mts-import-'));
let n = 0;
function file(name: string, content: string | Buffer): string {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}

describe('CSV', () => {
  it('reads RFC 4180 quoting, doubled quotes, embedded newlines, CRLF and a BOM with correct line numbers', async () => {
    const p = file('a.csv', '\ufefflabel,text\r\nSports,"He said ""go"", then\r\nleft"\r\nWorld,plain text\r\n');
    const { examples, report } = await importAll(p);
    expect(examples).toEqual([
      { line: 2, text: 'He said "go", then\r\nleft', label: 'Sports' },
      { line: 4, text: 'plain text', label: 'World' },
    ]);
    expect(report.rowsRead).toBe(2);
    expect(report.labels).toEqual(['Sports', 'World']);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const cell = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('"', '""', ',', '\n', '\r\n', 'é', '😀'));
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 7 }),
        (rows, step) => {
          const csv = rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\n');
          const whole = new CsvParser(',', true);
          const a = [...whole.feed(csv), ...whole.end().records];
          const pieces = new CsvParser(',', true);
          const b = [];
          for (let i = 0; i < csv.length; i += step) b.push(...pieces.feed(csv.slice(i, i + step)));
          b.push(...pieces.end().records);
          expect(b).toEqual(a);
          expect(a.map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });

  it('maps columns by name or index and maps integer labels 1..n onto the label set', async () => {
    const p = file('b.csv', 'id,body,topic\n1,first,2\n2,second,Business\n3,third,7\n');
    const labels = ['World', 'Sports', 'Business', 'Sci/Tech'];
    const { examples, report } = await importAll(p, { columns: { textColumn: 'body', labelColumn: 2 }, labels });
    expect(examples.map((e) => [e.text, e.label])).toEqual([
      ['first', 'Sports'],
      ['second', 'Business'],
    ]);
    expect(report.skippedRows).toHaveLength(1);
    expect(report.skippedRows[0].line).toBe(4);
    expect(report.skippedRows[0].reason).toMatch(/unknown label "7"/);
  });

  it('reads headerless AG News original layout (class, title, description)', async () => {
    const p = file('c.csv', '"3","Wall St. Bears","Short-sellers are back."\n');
    const { examples } = await importAll(p, { labels: ['World', 'Sports', 'Business', 'Sci/Tech'] });
    expect(examples).toEqual([{ line: 1, text: 'Wall St. Bears Short-sellers are back.', label: 'Business' }]);
  });

  it('refuses a missing column, naming the columns there are', async () => {
    const p = file('d.csv', 'label,body\nx,y\n');
    await expect(importAll(p, { columns: { textColumn: 'text' } })).rejects.toThrow(
      /:1: no column named "text"; the columns are "label", "body"/,
    );
  });

  it('skips empty rows, short rows, empty text and text after a closing quote, with line and reason', async () => {
    const p = file('e.csv', 'label,text\n\nA\nB,\nC,"quoted"junk\nD,fine\n');
    const { examples, report } = await importAll(p);
    expect(examples.map((e) => e.line)).toEqual([6]);
    expect(report.skippedRows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(report.skippedRows.map((r) => r.reason)).toEqual([
      expect.stringMatching(/empty row/),
      expect.stringMatching(/1 field/),
      expect.stringMatching(/empty text/),
      expect.stringMatching(/bad quoting: text after a closing quote/),
    ]);
  });

  it('fails on an unterminated quote at the line where it opened', async () => {
    const p = file('f.csv', 'label,text\nA,ok\nB,"never closed\nC,x\n');
    await expect(importAll(p)).rejects.toThrow(/f\.csv:3: a quoted field opened on this line never closes/);
  });

  it('finds columns whose names contain text/label and skips blank lines before the header', async () => {
    const p = file('k.csv', '\n\nreview_text,sentiment_label\ngreat,pos\n');
    const { examples, report } = await importAll(p);
    expect(examples).toEqual([{ line: 4, text: 'great', label: 'pos' }]);
    expect(report.skippedRows.map((r) => r.line)).toEqual([1, 2]);
  });

  it('counts duplicate texts and marks them', async () => {
    const p = file('g.csv', 'label,text\nA,same\nB,other\nC,same\n');
    const { examples, report } = await importAll(p);
    expect(report.duplicates).toBe(1);
    expect(report.duplicateRows).toEqual([{ line: 4, firstLine: 2 }]);
    expect(examples[2].duplicateOf).toBe(2);
  });

  it('reads TSV without quoting', async () => {
    const p = file('h.tsv', 'text\tlabel\n"quoted" start\tpos\n');
    const { examples } = await importAll(p);
    expect(examples).toEqual([{ line: 2, text: '"quoted" start', label: 'pos' }]);
  });
});

describe('encodings', () => {
  it('refuses UTF-16 with the iconv command', async () => {
    const p = file('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('label,text\n', 'utf16le')]));
    await expect(importAll(p)).rejects.toThrow(/UTF-16.*iconv -f UTF-16/s);
  });

  it('refuses invalid UTF-8 at its line, or converts latin-1 when asked', async () => {
    const p = file(
      'l1.csv',
      Buffer.concat([Buffer.from('label,text\nA,ok\nB,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const err = await importAll(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).line).toBe(3);
    expect((err as ImportError).message).toMatch(/not valid UTF-8.*iconv -f WINDOWS-1252/s);
    const { examples, report } = await importAll(p, { latin1Fallback: true });
    expect(examples[1].text).toBe('café');
    expect(report.encoding).toBe('latin1');
    expect(report.notes.join(' ')).toMatch(/latin-1/);
  });
});

describe('JSONL, Prodigy and doccano', () => {
  it('reads text, label and spans in all three shapes and keeps only accepted Prodigy answers', async () => {
    const lines = [
      {
        text: 'Obama visited Paris',
        label: 'World',
        spans: [
          { start: 14, end: 19, type: 'LOC' },
          { start: 0, end: 5, type: 'PER' },
        ],
      },
      { text: 'Obama met Merkel', spans: [{ start: 0, end: 5, label: 'PER' }], answer: 'accept' },
      { text: 'rejected one', spans: [], answer: 'reject' },
      {
        text: 'IBM in Berlin',
        label: [
          [0, 3, 'ORG'],
          [7, 13, 'LOC'],
        ],
      },
      { text: 'SAP in Walldorf', entities: [{ start_offset: 0, end_offset: 3, label: 'ORG' }] },
      { text: 'bad span', spans: [{ start: 4, end: 40, label: 'PER' }] },
    ];
    const p = file('a.jsonl', `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{not json\n\n`);
    const { examples, report } = await importAll(p);
    expect(examples.map((e) => [e.line, e.label, e.spans])).toEqual([
      [
        1,
        'World',
        [
          { start: 0, end: 5, type: 'PER' },
          { start: 14, end: 19, type: 'LOC' },
        ],
      ],
      [2, undefined, [{ start: 0, end: 5, type: 'PER' }]],
      [
        4,
        undefined,
        [
          { start: 0, end: 3, type: 'ORG' },
          { start: 7, end: 13, type: 'LOC' },
        ],
      ],
      [5, undefined, [{ start: 0, end: 3, type: 'ORG' }]],
    ]);
    expect(report.skippedRows.map((r) => [r.line, r.reason.slice(0, 22)])).toEqual([
      [3, 'Prodigy answer is "rej'],
      [6, 'span [4, 40) "PER" is '],
      [7, 'invalid JSON (Expected'],
    ]);
  });

  it('skips spans of types outside the given set', async () => {
    const p = file('b.jsonl', JSON.stringify({ text: 'Monday', spans: [{ start: 0, end: 6, label: 'DATE' }] }));
    const { report } = await importAll(p, { entityTypes: ['PER'] });
    expect(report.skippedRows[0].reason).toMatch(/unknown entity type "DATE"/);
  });
});

describe('CoNLL', () => {
  it('handles -DOCSTART-, any column count, IOB1 -> IOB2 and char offsets', async () => {
    const p = file(
      'a.conll',
      '-DOCSTART- -X- O O\n\nJohn NNP I-PER\nSmith NNP I-PER\nvisited VBD O\nNew NNP I-LOC\nYork NNP I-LOC\nParis I-LOC\nBerlin B-LOC\n\nhello O\n',
    );
    const { examples, report } = await importAll(p);
    expect(examples).toHaveLength(2);
    const e = examples[0];
    expect(e.line).toBe(3);
    expect(e.text).toBe('John Smith visited New York Paris Berlin');
    expect(e.spans?.map((s) => [e.text.slice(s.start, s.end), s.type])).toEqual([
      ['John Smith', 'PER'],
      ['New York Paris', 'LOC'],
      ['Berlin', 'LOC'],
    ]);
    expect(report.notes.join(' ')).toMatch(/IOB1 tags found: 2/);
  });

  it('skips a sentence with a one-column line or a bad tag, naming the line', async () => {
    const p = file('b.conll', 'a O\nb\n\nc X-PER\n\nd O\n');
    const { examples, report } = await importAll(p);
    expect(examples.map((e) => e.text)).toEqual(['d']);
    expect(report.skippedRows.map((r) => r.line)).toEqual([1, 4]);
    expect(report.skippedRows[0].reason).toMatch(/line 2 has one column/);
    expect(report.skippedRows[1].reason).toMatch(/tag "X-PER"/);
  });
});

describe('progress and preview', () => {
  it('emits progress events ending at the file size, then one done event', async () => {
    const body = Array.from({ length: 300 }, (_, i) => `A,row number ${i}`).join('\n');
    const p = file('p.csv', `label,text\n${body}\n`);
    const events: ImportEvent[] = [];
    for await (const ev of importFile(p, { progressEveryBytes: 1 })) events.push(ev);
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    expect(last.kind === 'progress' && last.bytesRead === last.totalBytes).toBe(true);
    expect(events[events.length - 1].kind).toBe('done');
    expect(events.filter((e) => e.kind === 'example')).toHaveLength(300);
  });

  it('previews the first rows with detected columns and the suggested mapping', async () => {
    const p = file('q.csv', 'category,title,text\nA,t1,x1\nB,t2,x2\nC,t3,x3\n');
    const pv = await previewFile(p, {}, 2);
    expect(pv.columns).toEqual(['category', 'title', 'text']);
    expect(pv.hasHeader).toBe(true);
    expect(pv.suggested).toEqual({ textColumn: 2, labelColumn: 0, header: true });
    expect(pv.rows).toEqual([
      ['A', 't1', 'x1'],
      ['B', 't2', 'x2'],
    ]);
    expect(pv.examples.map((e) => e.label)).toEqual(['A', 'B']);
  });

  it('refuses an unknown extension with the formats to choose from', async () => {
    const p = file('x.weird', 'a');
    await expect(importAll(p)).rejects.toThrow(/pass format: one of csv, tsv, jsonl, conll/);
  });
});

const AG_TRAIN = new URL('../../../../shared/data/ag_news/train.csv', import.meta.url).pathname;

describe('shared data', () => {
  it.skipIf(!existsSync(AG_TRAIN))(
    'imports AG News train.csv with the four class names and nothing skipped (needs ../shared)',
    async () => {
      const { examples, report } = await importAll(AG_TRAIN, { labels: ['World', 'Sports', 'Business', 'Sci/Tech'] });
      expect(report.skipped).toBe(0);
      expect(examples.length).toBe(report.rowsRead);
      expect([...report.labels].sort()).toEqual(['Business', 'Sci/Tech', 'Sports', 'World']);
      expect(examples.every((e) => e.text.length > 0 && e.label !== undefined)).toBe(true);
    },
  );
});
