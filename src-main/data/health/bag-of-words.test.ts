import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random';
import { confidentLearning, crossValidatedSparseProbs, fitSparse, tfidfRows, words } from './index';

describe('bag-of-words features', () => {
  it('splits lower-cased words on anything but letters and digits', () => {
    expect(words("Oil's price: $40.5, up 2%!")).toEqual(['oil', 's', 'price', '40', '5', 'up', '2']);
    expect(words('...')).toEqual([]);
  });

  it('gives unit-length rows, equal rows for equal texts, and an empty row for a text without words', () => {
    const x = tfidfRows(['Stocks fell today', 'stocks FELL today!', 'Team wins the cup', '--'], 12);
    const row = (i: number): [number[], number[]] => [
      Array.from(x.index.subarray(x.offset[i], x.offset[i + 1])),
      Array.from(x.value.subarray(x.offset[i], x.offset[i + 1])),
    ];
    for (const i of [0, 2]) expect(row(i)[1].reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 5);
    expect(row(1)).toEqual(row(0));
    expect(row(0)[0]).toHaveLength(5); // 3 words + 2 word pairs
    expect(row(3)[0]).toEqual([]);
    expect(Math.max(...row(0)[0], ...row(2)[0])).toBeLessThan(2 ** 12);
  });
});

describe('bag-of-words logistic regression', () => {
  // Two topics told apart by their words only; some labels flipped.
  function corpus(n: number, flip: number, seed: number): { texts: string[]; labels: number[]; flipped: Set<number> } {
    const rng = Rng.fromSeed(seed);
    const vocab = [
      ['market', 'shares', 'profit', 'bank', 'stocks', 'oil'],
      ['match', 'season', 'coach', 'goal', 'league', 'cup'],
    ];
    const filler = ['the', 'a', 'on', 'today', 'said', 'new', 'after'];
    const texts: string[] = [];
    const labels: number[] = [];
    const flipped = new Set<number>();
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const pick = (w: readonly string[]): string => w[rng.int(w.length)]!;
      texts.push([pick(filler), pick(vocab[c]!), pick(filler), pick(vocab[c]!), pick(filler)].join(' '));
      if (rng.next() < flip) {
        labels.push(1 - c);
        flipped.add(i);
      } else labels.push(c);
    }
    return { texts, labels, flipped };
  }

  it('learns the topics and predicts held-out texts', () => {
    const { texts, labels } = corpus(200, 0, 1);
    const x = tfidfRows(texts);
    const model = fitSparse(
      x,
      labels,
      2,
      labels.map((_, i) => i),
    );
    expect(model.weights).toHaveLength(x.dim * 2);
    const probs = crossValidatedSparseProbs(tfidfRows(texts), labels, 2, 5);
    let correct = 0;
    labels.forEach((y, i) => {
      expect(probs.data[i * 2]! + probs.data[i * 2 + 1]!).toBeCloseTo(1, 5);
      if (probs.data[i * 2 + y]! > 0.5) correct++;
    });
    expect(correct / labels.length).toBeGreaterThan(0.97);
  });

  it('gives out-of-sample probabilities in which confident learning finds the flipped labels', () => {
    const { texts, labels, flipped } = corpus(400, 0.05, 2);
    const probs = crossValidatedSparseProbs(tfidfRows(texts), labels, 2, 5, { seed: 4 });
    const found = new Set(confidentLearning(labels, probs).issues.map((i) => i.row));
    const hits = [...flipped].filter((r) => found.has(r)).length;
    expect(flipped.size).toBeGreaterThan(10);
    expect(hits / flipped.size).toBeGreaterThan(0.9);
    expect(hits / found.size).toBeGreaterThan(0.9);
  });
});
