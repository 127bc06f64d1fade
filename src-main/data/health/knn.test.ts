import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random';
import {
  knnProbs,
  labelCheck,
  loopProduct,
  normaliseRows,
  scanNeighbours,
  spanDisagreements,
  type Vectors,
} from './index';

function randomVectors(rows: number, dim: number, seed: number): Vectors {
  const rng = Rng.fromSeed(seed);
  return normaliseRows({ data: Float32Array.from({ length: rows * dim }, () => rng.next() - 0.5), rows, dim });
}

describe('scanNeighbours', () => {
  it("finds each row's nearest other rows, sorted, and the same pairs as the upper-triangle scan", async () => {
    const v = randomVectors(30, 4, 9);
    const sims = await loopProduct(v, v);
    for (const blockRows of [4, 64]) {
      const r = await scanNeighbours(v, loopProduct, { threshold: 0.9, neighbours: 3, blockRows });
      for (let i = 0; i < 30; i++) {
        const want = Array.from({ length: 30 }, (_, j) => j)
          .filter((j) => j !== i)
          .sort((a, b) => sims[i * 30 + b]! - sims[i * 30 + a]!)
          .slice(0, 3);
        expect(Array.from(r.neighbours.index.subarray(i * 3, i * 3 + 3))).toEqual(want);
      }
      const plain = await scanNeighbours(v, loopProduct, { threshold: 0.9, neighbours: 0, blockRows });
      expect(r.pairs).toEqual(plain.pairs);
      expect(r.pairs.length).toBeGreaterThan(0);
    }
  });
});

describe('knnProbs', () => {
  it('weights neighbours by similarity, skips unlabelled ones and sums to 1', () => {
    // Row 0's neighbours: row 1 (class 1, sim 1), row 2 (class 0, sim 0.9), row 3 (unlabelled).
    const neighbours = { k: 3, index: Int32Array.from([1, 2, 3]), similarity: Float32Array.from([1, 0.9, 0.95]) };
    const p = knnProbs(neighbours, [0, 1, 0, -1], 2, [0], { tau: 0.1 });
    const w1 = 1;
    const w0 = Math.exp(-1);
    expect(p.data[1]).toBeCloseTo((w1 + 0.01) / (w1 + w0 + 0.02), 5);
    expect(p.data[0]! + p.data[1]!).toBeCloseTo(1, 6);
  });
});

describe('labelCheck with neighbours', () => {
  it('averages the head with leave-one-out kNN and still finds a flipped row', async () => {
    const rng = Rng.fromSeed(2);
    const n = 120;
    const dim = 6;
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < dim; k++) data[i * dim + k] = (k === i % 2 ? 3 : 0) + rng.next() - 0.5;
    const v = normaliseRows({ data, rows: n, dim });
    const labels = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'even' : 'odd'));
    labels[10] = 'odd';
    const { neighbours } = await scanNeighbours(v, loopProduct, { threshold: 2, neighbours: 10 });
    const r = labelCheck(v, labels, { neighbours, epochs: 20 });
    expect(r.kind).toBe('done');
    if (r.kind === 'done') expect(r.cl.issues[0]).toMatchObject({ row: 10, given: 1, suggested: 0 });
  });
});

describe('spanDisagreements', () => {
  it('reports confident predictions that are missing, of another type or of other boundaries', () => {
    const annotated = [
      { start: 0, end: 4, type: 'PER' },
      { start: 10, end: 15, type: 'ORG' },
      { start: 20, end: 25, type: 'LOC' },
    ];
    const predicted = [
      { start: 0, end: 4, type: 'PER', confidence: 0.99 }, // agrees
      { start: 10, end: 15, type: 'LOC', confidence: 0.95 }, // type
      { start: 20, end: 28, type: 'LOC', confidence: 0.93 }, // boundary
      { start: 30, end: 35, type: 'ORG', confidence: 0.97 }, // missing
      { start: 40, end: 45, type: 'ORG', confidence: 0.5 }, // not confident
    ];
    expect(
      spanDisagreements(annotated, predicted, 0.9).map((d) => [d.kind, d.start, d.annotated?.type ?? null]),
    ).toEqual([
      ['type', 10, 'ORG'],
      ['boundary', 20, 'LOC'],
      ['missing', 30, null],
    ]);
  });
});
