import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopProduct, type Vectors } from '../../data/health';
import { Rng } from '../../engine/random';
import { writeTinyCheckpoint } from '../../engine/infer/testing';
import { openEncoder } from './encoder';
import { checkFiles, HealthFilesInput } from './index';
import { ortProduct } from './product';
import { readDataRows } from './read';
import { nerCheck } from './ner-check';

let root: string;
let ckpt: string;
let base: string;
const texts = [
  'the market rose today as oil prices fell',
  'police said the city was quiet after the game',
  'the team won the season opener at home',
  'shares of the bank fell after the report',
  'the president met the minister for talks on the deal',
  'oil prices hit a new high this week',
];

function csv(rows: readonly (readonly [string, string])[]): string {
  return ['label,text', ...rows.map(([l, t]) => `${l},"${t}"`)].join('\n') + '\n';
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mts-health-'));
  ckpt = writeTinyCheckpoint(root, { classes: ['a', 'b'], seed: 1, headSeed: 2 });
  base = join(root, 'base');
  writeFileSync(
    join(root, 'train.csv'),
    csv([
      ['a', texts[0]!],
      ['b', texts[1]!],
      ['a', texts[2]!],
      ['b', 'The market rose today, as oil prices fell!'], // row 4: exact duplicate of row 1 with another label
      ['a', texts[3]!],
      ['b', texts[4]!],
    ]),
  );
  writeFileSync(
    join(root, 'dev.csv'),
    csv([
      ['a', texts[5]!],
      ['a', texts[2]!.toUpperCase()], // dev row 2 leaks train row 3
    ]),
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readDataRows', () => {
  it('numbers records as 1-based data rows, the header excluded and unreadable rows counted', async () => {
    const p = join(root, 'bad.csv');
    writeFileSync(p, 'label,text\na,first\nb,\nc,third\n');
    const r = await readDataRows(p);
    expect(r.rows.map((x) => [x.row, x.text])).toEqual([
      [1, 'first'],
      [3, 'third'],
    ]);
    expect(r.skipped.map((s) => s.row)).toEqual([2]);
  });
});

describe('ortProduct', () => {
  it('equals the plain-loop product', async () => {
    const rng = Rng.fromSeed(4);
    const v = (rows: number): Vectors => ({
      data: Float32Array.from({ length: rows * 5 }, () => rng.next() - 0.5),
      rows,
      dim: 5,
    });
    const a = v(3);
    const b = v(7);
    const ort = await ortProduct(5, 1);
    try {
      const got = await ort.product(a, b);
      const want = await loopProduct(a, b);
      expect(got.length).toBe(21);
      got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
    } finally {
      await ort.release();
    }
  });
});

describe('openEncoder', () => {
  it('embeds with a base model (unit rows) and predicts with a checkpoint; int8 stays close to fp32', async () => {
    const fp32 = await openEncoder(base, { maxLength: 32, precision: 'fp32', threads: 1 });
    const int8 = await openEncoder(base, { maxLength: 32, precision: 'int8', threads: 1 });
    const run = await openEncoder(ckpt, { threads: 1 });
    try {
      expect(fp32.classifies).toBe(false);
      expect(run.classifies).toBe(true);
      const a = await fp32.encode([...texts, '   ']);
      const b = await int8.encode([...texts, '   ']);
      const c = await run.encode(texts);
      expect(a.predicted).toBeNull();
      expect(c.predicted!.every((p) => p === 'a' || p === 'b')).toBe(true);
      const dim = a.vectors.dim;
      for (let i = 0; i < texts.length; i++) {
        let norm = 0;
        let cos = 0;
        for (let k = 0; k < dim; k++) {
          norm += a.vectors.data[i * dim + k]! ** 2;
          cos += a.vectors.data[i * dim + k]! * b.vectors.data[i * dim + k]!;
        }
        expect(norm).toBeCloseTo(1, 4);
        expect(cos).toBeGreaterThan(0.98);
      }
      // The blank text has no embedding: a zero row, similar to nothing.
      expect(a.vectors.data.subarray(texts.length * dim).every((x) => x === 0)).toBe(true);
    } finally {
      await Promise.all([fp32.release(), int8.release(), run.release()]);
    }
  });
});

describe('checkFiles', () => {
  it('finds the planted duplicate, label conflict and leak by data row, and says why labels were not checked', async () => {
    const input = HealthFilesInput.parse({
      data: join(root, 'train.csv'),
      dev: join(root, 'dev.csv'),
      model: base,
      run: ckpt,
      maxLength: 32,
      threads: 1,
    });
    const r = await checkFiles(input);
    expect(r.data.rows).toBe(6);
    expect(r.exactDuplicates).toEqual([{ lines: [1, 4], labels: ['a', 'b'] }]);
    expect(r.labelConflicts[0]).toMatchObject({ lines: [1, 4], labels: ['a', 'b'], kind: 'exact' });
    expect(r.leakage).toContainEqual({ devLine: 2, trainLine: 3, similarity: 1, exact: true });
    expect(r.devAccuracy).toMatchObject({ source: 'run', examples: 2 });
    expect(r.devAccuracy!.leaked).toBeGreaterThanOrEqual(1);
    expect(r.labelErrors).toEqual([]);
    expect(r.skipped.join(' ')).toContain('5-fold cross-validation needs at least 5 examples of every class');
    expect(r.classBalance.classes.map((c) => c.count)).toEqual([3, 3]);
  });

  it('runs the text checks only when no encoder is given, and says so', async () => {
    const r = await checkFiles(HealthFilesInput.parse({ data: join(root, 'train.csv') }));
    expect(r.encoder).toBeNull();
    expect(r.exactDuplicates).toHaveLength(1);
    expect(r.skipped[0]).toContain('pass --model DIR');
  });
});

describe('NER check', () => {
  it("compares a run's confident entities with annotated spans, or says why it did not", async () => {
    const file = join(root, 'spans.jsonl');
    const rows = texts.map((text, i) => ({
      text,
      label: i % 2 === 0 ? 'a' : 'b',
      spans: [{ start: 0, end: 3, label: 'PER' }],
    }));
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const without = await checkFiles(HealthFilesInput.parse({ data: file }));
    expect(without.skipped.join(' ')).toContain('pass --run DIR (a run with an entity head)');
    const r = await checkFiles(
      HealthFilesInput.parse({ data: file, run: ckpt, model: base, maxLength: 32, threads: 1 }),
    );
    expect(r.skipped.join(' ')).not.toContain('NER spans were not checked');
    for (const d of r.nerDisagreements) {
      expect(d.confidence).toBeGreaterThanOrEqual(0.9);
      expect(d.text).toBe(texts[d.line - 1]!.slice(d.start, d.end));
      expect(['missing', 'type', 'boundary']).toContain(d.kind);
    }
  });

  it('says a run without an entity head cannot check spans, from its config alone', async () => {
    const file = join(root, 'spans-no-ner.jsonl');
    writeFileSync(
      file,
      JSON.stringify({ text: texts[0], label: 'a', spans: [{ start: 0, end: 3, label: 'PER' }] }) + '\n',
    );
    const noNer = writeTinyCheckpoint(join(root, 'no-ner'), { classes: ['a', 'b'], tags: [], seed: 1, headSeed: 2 });
    // No weights are needed to know that: a checkpoint whose weights are unreadable still gets the reason.
    writeFileSync(join(noNer, 'model.safetensors'), 'not weights');
    const r = await nerCheck(noNer, [{ row: 1, text: texts[0]!, spans: [{ start: 0, end: 3, type: 'PER' }] }], 1);
    expect(r).toEqual({
      skipped: `NER spans were not checked: ${noNer} has no entity (NER) head; pass a run trained with one.`,
    });
  });
});
