import { describe, expect, it } from 'vitest';
import { decodeBioPath } from './bio-decode';

const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];

const valid = (path: readonly number[]): boolean =>
  path.every((k, i) => {
    const tag = TAGS[k]!;
    if (!tag.startsWith('I-')) return true;
    const prev = i === 0 ? 'O' : TAGS[path[i - 1]!]!;
    return prev !== 'O' && prev.slice(2) === tag.slice(2);
  });

function logSoftmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const log = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - log);
}

// Every sequence of n tags, to check Viterbi against the exhaustive answer.
function* allPaths(n: number, k: number): Generator<number[]> {
  if (n === 0) {
    yield [];
    return;
  }
  for (const rest of allPaths(n - 1, k)) for (let t = 0; t < k; t++) yield [...rest, t];
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('decodeBioPath', () => {
  it('keeps the arg-max path when it is valid BIO', () => {
    // Words: Ann(B-PER) Lee(I-PER) in(O) Paris(B-LOC)
    const rows = [
      [0, 5, 1, 0, 0],
      [0, 0, 4, 0, 1],
      [6, 0, 0, 1, 0],
      [0, 0, 0, 3, 1],
    ];
    const path = decodeBioPath(Float32Array.from(rows.flat()), [0, 5, 10, 15], TAGS);
    expect(path.map((k) => TAGS[k])).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC']);
  });

  it('never starts an entity with I-, and never continues one of another type', () => {
    // Arg-max is I-PER then I-LOC: invalid twice. The best valid sequence turns the strong I-LOC into a
    // location entity (B-LOC I-LOC: 0 + 4) rather than keeping the person (B-PER then O: 2 + 0).
    const rows = [
      [0, 2, 3, 0, 0],
      [0, 0, 0, 0, 4],
    ];
    const path = decodeBioPath(Float32Array.from(rows.flat()), [0, 5], TAGS);
    expect(path.map((k) => TAGS[k])).toEqual(['B-LOC', 'I-LOC']);
    // With a weak I-LOC the person wins and the second word is outside.
    const weak = decodeBioPath(Float32Array.from([0, 2, 3, 0, 0, 1, 0, 0, 0, 1.5]), [0, 5], TAGS);
    expect(weak.map((k) => TAGS[k])).toEqual(['B-PER', 'O']);
  });

  it('reads rows at the given offsets (first sub-words of words)', () => {
    const logits = Float32Array.from([
      ...[9, 0, 0, 0, 0], // a continuation sub-token, not a word row: must be ignored
      ...[0, 5, 0, 0, 0],
      ...[9, 0, 0, 0, 0],
      ...[0, 0, 5, 0, 0],
    ]);
    expect(decodeBioPath(logits, [5, 15], TAGS).map((k) => TAGS[k])).toEqual(['B-PER', 'I-PER']);
    expect(decodeBioPath(logits, [], TAGS)).toEqual([]);
  });

  it('finds the most probable valid sequence (checked against every sequence)', () => {
    const rand = seeded(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 4);
      const rows = Array.from({ length: n }, () => TAGS.map(() => (rand() - 0.5) * 8));
      const logits = Float32Array.from(rows.flat());
      const logp = rows.map(logSoftmax);
      let best = -Infinity;
      for (const p of allPaths(n, TAGS.length)) {
        if (!valid(p)) continue;
        best = Math.max(
          best,
          p.reduce((s, k, i) => s + logp[i]![k]!, 0),
        );
      }
      const path = decodeBioPath(
        logits,
        rows.map((_, i) => i * TAGS.length),
        TAGS,
      );
      expect(valid(path)).toBe(true);
      expect(path.reduce((s, k, i) => s + logp[i]![k]!, 0)).toBeCloseTo(best, 9);
    }
  });
});
