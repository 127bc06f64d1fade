import { describe, expect, it } from 'vitest';
import { argmaxProb, decodeEntities, type TokenLayout } from './decode';
import { stitchWindows } from './stitch';

const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];

/** Logits rows that put `p`-ish mass on the given tag index per token. */
function logitsFor(tagIndex: readonly number[], strength: readonly number[] = []): Float32Array {
  const out = new Float32Array(tagIndex.length * TAGS.length);
  tagIndex.forEach((k, t) => {
    out[t * TAGS.length + k] = strength[t] ?? 3;
  });
  return out;
}

function softmaxAt(row: readonly number[], k: number): number {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  return e[k]! / e.reduce((a, b) => a + b, 0);
}

// "John Smithson lives in New York" -> [CLS] john smith ##son lives in new york [SEP]
const TEXT = 'John Smithson lives in New York';
const LAYOUT: TokenLayout = {
  offsets: [
    [0, 0],
    [0, 4],
    [5, 10],
    [10, 13],
    [14, 19],
    [20, 22],
    [23, 26],
    [27, 31],
    [0, 0],
  ],
  wordIds: [null, 0, 1, 1, 2, 3, 4, 5, null],
};

describe('decodeEntities', () => {
  it('merges B/I words into char spans over whole words and averages the chosen tag probabilities', () => {
    // The second sub-token of "Smithson" says O: ignored, only first sub-tokens decide.
    const logits = logitsFor([0, 1, 2, 0, 0, 0, 3, 4, 0], [0, 3, 2, 5, 3, 3, 4, 1, 0]);
    const ents = decodeEntities(TEXT, LAYOUT, logits, TAGS);
    expect(ents.map((e) => [e.type, e.text, e.start, e.end])).toEqual([
      ['PER', 'John Smithson', 0, 13],
      ['LOC', 'New York', 23, 31],
    ]);
    const row = (s: number, k: number): number[] => TAGS.map((_, j) => (j === k ? s : 0));
    expect(ents[0]!.confidence).toBeCloseTo((softmaxAt(row(3, 1), 1) + softmaxAt(row(2, 2), 2)) / 2, 6);
    expect(ents[1]!.confidence).toBeCloseTo((softmaxAt(row(4, 3), 3) + softmaxAt(row(1, 4), 4)) / 2, 6);
  });

  it('decodes the most probable valid BIO sequence: no entity starts with a stray I-', () => {
    // Arg-max per word: john=B-PER, smithson=I-LOC (2.5 on I-PER), lives=O, in=O, new=I-LOC, york=I-LOC, which
    // seqeval would read as PER:John, LOC:Smithson, LOC:New York. The valid sequence keeps Smithson in the
    // person (I-LOC cannot follow B-PER) and starts the location at New.
    const rows: Record<number, Record<number, number>> = {
      1: { 1: 5 },
      2: { 2: 2.5, 4: 3 },
      4: { 0: 5 },
      5: { 0: 5 },
      6: { 4: 4 },
      7: { 4: 4 },
    };
    const logits = new Float32Array(LAYOUT.wordIds.length * TAGS.length);
    for (const [t, row] of Object.entries(rows))
      for (const [k, v] of Object.entries(row)) logits[Number(t) * TAGS.length + Number(k)] = v;
    const ents = decodeEntities(TEXT, LAYOUT, logits, TAGS);
    expect(ents.map((e) => `${e.type}:${e.text}`)).toEqual(['PER:John Smithson', 'LOC:New York']);
  });

  it('handles word ids that do not start at 0 and all-O sequences', () => {
    const layout: TokenLayout = {
      offsets: [
        [0, 0],
        [3, 5],
        [0, 0],
      ],
      wordIds: [null, 41, null],
    };
    expect(decodeEntities('ab cd', layout, logitsFor([0, 0, 0]), TAGS)).toEqual([]);
    expect(decodeEntities('ab cd', layout, logitsFor([0, 3, 0]), TAGS)[0]).toMatchObject({
      text: 'cd',
      start: 3,
      end: 5,
    });
  });

  it('refuses logits that are too short for the layout', () => {
    expect(() => decodeEntities(TEXT, LAYOUT, new Float32Array(3), TAGS)).toThrow(/logits for 9 tokens/);
  });
});

describe('argmaxProb', () => {
  it('is the softmax probability of the largest logit, stable for large values', () => {
    const r = argmaxProb(new Float32Array([1000, 1001, 999]), 0, 3);
    expect(r.index).toBe(1);
    expect(r.prob).toBeCloseTo(softmaxAt([0, 1, -1], 1), 6);
  });
});

describe('stitchWindows', () => {
  it("keeps each window's owned rows in order and rejects overlapping ownership", () => {
    const w0 = {
      offsets: [
        [0, 0],
        [0, 1],
        [2, 3],
        [4, 5],
        [0, 0],
      ] as const,
      wordIds: [null, 0, 1, 2, null],
      tokenStart: 0,
      ownedStart: 1,
      ownedEnd: 3,
    };
    const w1 = {
      offsets: [
        [0, 0],
        [2, 3],
        [4, 5],
        [6, 7],
        [0, 0],
      ] as const,
      wordIds: [null, 1, 2, 3, null],
      tokenStart: 1,
      ownedStart: 2,
      ownedEnd: 4,
    };
    const l0 = Float32Array.from({ length: 10 }, (_, i) => i);
    const l1 = Float32Array.from({ length: 10 }, (_, i) => 100 + i);
    const s = stitchWindows([w0, w1], [l0, l1], 2);
    expect(s.wordIds).toEqual([0, 1, 2, 3]);
    expect(Array.from(s.logits)).toEqual([2, 3, 4, 5, 104, 105, 106, 107]);
    expect(() => stitchWindows([w0, { ...w1, ownedStart: 1 }], [l0, l1], 2)).toThrow(/without gaps or overlaps/);
    expect(() => stitchWindows([w0, { ...w1, ownedStart: 3 }], [l0, l1], 2)).toThrow(/previous windows end at 2/);
  });
});
