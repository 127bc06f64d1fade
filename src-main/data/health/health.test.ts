import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random';
import {
  bestMatches,
  classBalance,
  confidentLearning,
  crossValidatedProbs,
  crossValidatedSparseProbs,
  defaultFolds,
  exactDuplicateGroups,
  exactMatches,
  labelCheck,
  lengthOutliers,
  loopProduct,
  normaliseRows,
  normaliseText,
  perClassThresholds,
  similarPairs,
  stratifiedFolds,
  tfidfRows,
  type Vectors,
} from './index';

function vectors(rows: readonly (readonly number[])[]): Vectors {
  return normaliseRows({ data: Float32Array.from(rows.flat()), rows: rows.length, dim: rows[0]!.length });
}

describe('normaliseText and exact duplicates', () => {
  it('ignores case, punctuation, spacing and compatibility forms', () => {
    expect(normaliseText('  Hello,   WORLD!! ')).toBe('hello world');
    expect(normaliseText('ﬁne\tday')).toBe('fine day');
    expect(normaliseText('Café')).toBe(normaliseText('café'));
    expect(normaliseText('a-b')).not.toBe(normaliseText('ab'));
  });

  it('groups rows with equal normalised texts, skipping blank ones', () => {
    const groups = exactDuplicateGroups(['A cat.', 'a dog', 'a CAT', '', '...', 'A dog!', 'bird']);
    expect(groups.map((g) => g.rows)).toEqual([
      [0, 2],
      [1, 5],
    ]);
  });

  it('finds the first corpus row with the same text', () => {
    expect(exactMatches(['A dog', 'fish', ''], ['cat', 'a dog.', 'A DOG'])).toEqual([1, -1, -1]);
  });
});

describe('near duplicates', () => {
  const v = vectors([
    [1, 0, 0],
    [0.99, 0.1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0.05, 0.02, 1],
    [0, 0, 0], // a text without an embedding is similar to nothing
  ]);

  it('reports every pair above the threshold, across block boundaries, most similar first', async () => {
    for (const blockRows of [1, 2, 4, 100]) {
      const { pairs, truncated } = await similarPairs(v, loopProduct, { threshold: 0.9, blockRows });
      expect(truncated).toBe(false);
      expect(pairs.map((p) => [p.a, p.b])).toEqual([
        [3, 4],
        [0, 1],
      ]);
      expect(pairs[0]!.similarity).toBeGreaterThan(0.99);
    }
  });

  it('matches a brute-force scan on random vectors', async () => {
    const rng = Rng.fromSeed(3);
    const rows = Array.from({ length: 40 }, () => Array.from({ length: 4 }, () => rng.next() - 0.5));
    const r = vectors(rows);
    const { pairs } = await similarPairs(r, loopProduct, { threshold: 0.8, blockRows: 7 });
    const want: string[] = [];
    const sims = await loopProduct(r, r);
    for (let i = 0; i < 40; i++) for (let j = i + 1; j < 40; j++) if (sims[i * 40 + j]! >= 0.8) want.push(`${i}-${j}`);
    expect(pairs.map((p) => `${p.a}-${p.b}`).sort()).toEqual(want.sort());
  });

  it('stops at maxPairs and says so', async () => {
    const same = vectors([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const r = await similarPairs(same, loopProduct, { threshold: 0.5, maxPairs: 2 });
    expect(r.truncated).toBe(true);
    expect(r.pairs).toHaveLength(2);
  });

  it('finds each query its best corpus row above the threshold', async () => {
    const corpus = vectors([
      [1, 0],
      [0, 1],
    ]);
    const queries = vectors([
      [0.1, 1],
      [1, 1],
      [1, 0.01],
    ]);
    const m = await bestMatches(queries, corpus, loopProduct, { threshold: 0.95, blockRows: 2 });
    expect(m.map((x) => x?.row ?? null)).toEqual([1, null, 0]);
  });
});

describe('confident learning', () => {
  // 3 classes; rows 4 and 7 are confidently another class than labelled; row 8 reaches no threshold.
  const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
  const p = [
    [0.9, 0.05, 0.05],
    [0.8, 0.1, 0.1],
    [0.7, 0.2, 0.1],
    [0.1, 0.8, 0.1],
    [0.85, 0.1, 0.05],
    [0.1, 0.7, 0.2],
    [0.1, 0.1, 0.8],
    [0.05, 0.9, 0.05],
    [0.34, 0.33, 0.33],
  ];
  const probs = { data: Float32Array.from(p.flat()), rows: 9, classes: 3 };

  it('thresholds are the mean self-confidence per class', () => {
    const t = perClassThresholds(labels, probs);
    expect(t[0]).toBeCloseTo((0.9 + 0.8 + 0.7) / 3, 6);
    expect(t[1]).toBeCloseTo((0.8 + 0.1 + 0.7) / 3, 6);
    expect(t[2]).toBeCloseTo((0.8 + 0.05 + 0.33) / 3, 6);
  });

  it('builds the confident joint and ranks the off-diagonal rows by self-confidence', () => {
    const r = confidentLearning(labels, probs);
    expect(r.issues.map((i) => [i.row, i.given, i.suggested])).toEqual([
      [7, 2, 1],
      [4, 1, 0],
    ]);
    expect(r.issues[0]!.selfConfidence).toBeCloseTo(0.05, 6);
    // t = [0.8, 0.533, 0.393]: row 2 (0.7 < 0.8, 0.2 < 0.533) is counted nowhere; row 8 clears t_2 only.
    expect(r.confidentJoint).toEqual([
      [2, 0, 0],
      [1, 2, 0],
      [0, 1, 1],
    ]);
  });

  it('counts issues off the confident joint but reports the least self-confident rows', () => {
    // Row 2 (given 0) reaches no threshold but holds its label at 0.2; row 5 (given 1) is off the diagonal at
    // 0.28. The count is 1 (row 5), filled with the lowest self-confidence among rows predicted elsewhere: row 2.
    const cl = confidentLearning([0, 0, 0, 1, 1, 1, 2, 2, 2], {
      data: Float32Array.from(
        [
          [0.9, 0.05, 0.05],
          [0.9, 0.05, 0.05],
          [0.2, 0.45, 0.35],
          [0.05, 0.9, 0.05],
          [0.05, 0.9, 0.05],
          [0.7, 0.28, 0.02],
          [0.05, 0.05, 0.9],
          [0.05, 0.05, 0.9],
          [0.05, 0.05, 0.9],
        ].flat(),
      ),
      rows: 9,
      classes: 3,
    });
    expect(cl.confidentJoint).toEqual([
      [2, 0, 0],
      [1, 2, 0],
      [0, 0, 3],
    ]);
    expect(cl.issues.map((i) => [i.row, i.given, i.suggested])).toEqual([[2, 0, 1]]);
  });

  it('does not count an off-diagonal row whose most probable class is its given one', () => {
    // t = [0.833, 0.3]. Row 1 (given 0) clears t_1 with 0.45, but its own 0.55 is higher: not an issue, so
    // the count is 0 even though rows 3 and 4 (given 1) are predicted 0 with low self-confidence.
    const cl = confidentLearning([0, 0, 0, 1, 1], {
      data: Float32Array.from([1, 0, 0.55, 0.45, 0.95, 0.05, 0.6, 0.4, 0.8, 0.2]),
      rows: 5,
      classes: 2,
    });
    expect(cl.confidentJoint).toEqual([
      [2, 1],
      [0, 1],
    ]);
    expect(cl.issues).toEqual([]);
  });
});

/** Two-dimensional blobs per class with some labels flipped: the flipped rows are what the check must find. */
function blobs(
  n: number,
  classes: number,
  flip: number,
  seed: number,
): { x: Vectors; labels: number[]; flipped: Set<number> } {
  const rng = Rng.fromSeed(seed);
  const dim = 8;
  const data = new Float32Array(n * dim);
  const labels: number[] = [];
  const flipped = new Set<number>();
  for (let i = 0; i < n; i++) {
    const y = i % classes;
    for (let k = 0; k < dim; k++) data[i * dim + k] = (k === y ? 2 : 0) + (rng.next() - 0.5);
    if (rng.next() < flip) {
      labels.push((y + 1 + rng.int(classes - 1)) % classes);
      flipped.add(i);
    } else labels.push(y);
  }
  return { x: { data, rows: n, dim }, labels, flipped };
}

describe('k-fold softmax regression and the label check', () => {
  it('deals every class evenly over the folds', () => {
    const labels = [...Array(50).fill(0), ...Array(7).fill(1)] as number[];
    const fold = stratifiedFolds(labels, 5, 1);
    for (let f = 0; f < 5; f++) {
      expect(labels.filter((y, i) => y === 0 && fold[i] === f)).toHaveLength(10);
      expect(labels.filter((y, i) => y === 1 && fold[i] === f).length).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives out-of-sample probabilities that find flipped labels', () => {
    const { x, labels, flipped } = blobs(600, 3, 0.05, 11);
    const probs = crossValidatedProbs(x, labels, 3, 5, { epochs: 40, learningRate: 0.01 });
    for (let i = 0; i < 600; i++) {
      const row = Array.from(probs.data.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    const found = new Set(confidentLearning(labels, probs).issues.map((i) => i.row));
    const hits = [...flipped].filter((r) => found.has(r)).length;
    expect(flipped.size).toBeGreaterThan(15);
    expect(hits / flipped.size).toBeGreaterThan(0.9); // recall
    expect(hits / found.size).toBeGreaterThan(0.9); // precision
  });

  it('maps issues back to input rows, skipping unlabelled ones', () => {
    const { x, labels } = blobs(200, 2, 0, 5);
    const names: (string | undefined)[] = labels.map((y) => (y === 0 ? 'neg' : 'pos'));
    names[0] = undefined;
    names[3] = 'neg'; // row 3 is a class-1 blob labelled neg
    const r = labelCheck(x, names, { epochs: 10 });
    expect(r.kind).toBe('done');
    if (r.kind !== 'done') return;
    expect(r.classes).toEqual(['neg', 'pos']);
    expect(r.rows).not.toContain(0);
    expect(r.cl.issues.map((i) => i.row)).toContain(3);
    expect(r.crossValidatedAccuracy).toBeGreaterThan(0.95);
  });

  it('averages the k-fold head with the bag-of-words head when texts are given', () => {
    // Texts carry the class in a word; the features do not (pure noise): the ensemble must hold both members.
    const rng = Rng.fromSeed(3);
    const n = 120;
    const names = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'neg' : 'pos'));
    const texts = names.map((c, i) => `${c === 'neg' ? 'awful' : 'lovely'} item ${i}`);
    const x: Vectors = { data: Float32Array.from({ length: n * 4 }, () => rng.next()), rows: n, dim: 4 };
    const y = names.map((c) => (c === 'neg' ? 0 : 1));
    const head = crossValidatedProbs(x, y, 2, 5, { seed: 9 });
    const bow = crossValidatedSparseProbs(tfidfRows(texts), y, 2, 5, { seed: 9 });
    const progress: number[][] = [];
    const r = labelCheck(x, names, { seed: 9, texts, onFold: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, 10])); // both members' 5 folds
    expect(r.kind).toBe('done');
    if (r.kind !== 'done') return;
    r.probs.data.forEach((p, i) => expect(p).toBeCloseTo((head.data[i]! + bow.data[i]!) / 2, 5));
    expect(r.crossValidatedAccuracy).toBe(1);
  });

  it('picks 10 folds by default, fewer down to 5 when the smallest class is small', () => {
    const rows = (a: number, b: number): (string | undefined)[] => [
      ...Array<string>(a).fill('a'),
      ...Array<string>(b).fill('b'),
      undefined,
    ];
    expect(defaultFolds(rows(40, 25))).toBe(10);
    expect(defaultFolds(rows(40, 7))).toBe(7);
    expect(defaultFolds(rows(40, 2))).toBe(5);
  });

  it('skips with a sentence naming the classes too small for k folds', () => {
    const x: Vectors = { data: new Float32Array(10 * 2), rows: 10, dim: 2 };
    const r = labelCheck(x, ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'c', 'a'], { folds: 5 });
    expect(r).toEqual({ kind: 'skipped', reason: expect.stringContaining('"b" (2), "c" (1) have fewer') });
    const one = labelCheck(x, Array<string>(10).fill('a'));
    expect(one.kind === 'skipped' && one.reason).toContain('only one class ("a")');
  });
});

describe('class balance and length outliers', () => {
  it('counts classes, most frequent first', () => {
    const b = classBalance(['x', 'y', 'x', undefined, 'x']);
    expect(b.classes).toEqual([
      { label: 'x', count: 3, share: 0.75 },
      { label: 'y', count: 1, share: 0.25 },
    ]);
    expect(b.imbalanceRatio).toBe(3);
    expect(b.unlabelled).toBe(1);
  });

  it('flags texts far outside the interquartile range, and empty ones', () => {
    const texts = [...Array.from({ length: 20 }, (_, i) => 'w '.repeat(10 + (i % 3)).trim()), 'w '.repeat(200), ' '];
    const s = lengthOutliers(texts);
    expect(s.outliers).toEqual([
      { row: 20, words: 200, kind: 'long' },
      { row: 21, words: 0, kind: 'short' },
    ]);
  });
});
