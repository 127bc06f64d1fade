import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CharSpan } from '../types';
import { bioLabelList, bioToSpans, misalignedSpans, spansToBio } from './bio';
import { AlignmentError } from './errors';
import { IGNORE_INDEX, spansToSubwordLabels, subwordPredictionsToSpans, type SubwordEncoding } from './subword';
import { tokenizeWords, type WordToken } from './words';

const TYPES = ['PER', 'ORG', 'LOC', 'DATE'];
const LABELS = bioLabelList(TYPES);

// Pieces that stress offsets: surrogate pairs, ZWJ emoji, flags, combining marks, CJK, RTL, punctuation.
const piece = fc.constantFrom(
  'Obama',
  'New',
  'York',
  'x',
  '42',
  'Café',
  'e\u0301te\u0301',
  'naïve',
  '👨‍👩‍👧',
  '🇫🇷',
  '👍🏽',
  '中文',
  '東京',
  'Ελλάδα',
  'שלום',
  'ï',
  ',',
  '.',
  '"',
  '(',
  ')',
  "'s",
  '-',
  '$',
  '€',
  '🙂',
  'a\u200db',
);
const space = fc.constantFrom(' ', ' ', '  ', '\n', '\t', '\u00a0', '\u3000');
const text = fc
  .array(fc.tuple(piece, space, fc.boolean()), { minLength: 1, maxLength: 25 })
  .map((parts) => parts.map(([p, s, glue]) => (glue ? p : p + s)).join(''));

/** Random non-overlapping spans on word boundaries: disjoint word-index ranges with random types. */
function spansOver(words: readonly WordToken[]): fc.Arbitrary<CharSpan[]> {
  return fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.constantFrom(...TYPES)), {
      maxLength: words.length,
    })
    .map((choices) => {
      const spans: CharSpan[] = [];
      let i = 0;
      for (const [take, len, type] of choices) {
        if (i >= words.length) break;
        if (take) {
          const last = Math.min(words.length, i + len) - 1;
          spans.push({ start: words[i].start, end: words[last].end, type });
          i = last + 1;
        } else {
          i++;
        }
      }
      return spans;
    });
}

const textAndSpans = text.chain((t) => {
  const words = tokenizeWords(t);
  return spansOver(words).map((spans) => ({ text: t, words, spans }));
});

/** Splits each word into 1..3 sub-tokens at code point boundaries and adds [CLS]/[SEP]-like specials. */
function fakeEncoding(words: readonly WordToken[], cuts: readonly number[]): SubwordEncoding {
  const wordIds: (number | null)[] = [null];
  const offsets: [number, number][] = [[0, 0]];
  words.forEach((w, wi) => {
    const points = [...w.text];
    const n = Math.min(points.length, 1 + (cuts[wi % Math.max(1, cuts.length)] ?? 0));
    const per = Math.ceil(points.length / n);
    let pos = w.start;
    for (let k = 0; k < points.length; k += per) {
      const len = points.slice(k, k + per).join('').length;
      wordIds.push(wi);
      offsets.push([pos, pos + len]);
      pos += len;
    }
  });
  wordIds.push(null);
  offsets.push([0, 0]);
  return { wordIds, offsets };
}

describe('tokenizeWords', () => {
  it('gives sorted, non-empty words whose offsets slice the original text, separated only by space', () => {
    fc.assert(
      fc.property(text, (t) => {
        const words = tokenizeWords(t);
        let prev = 0;
        for (const w of words) {
          expect(w.end).toBeGreaterThan(w.start);
          expect(t.slice(w.start, w.end)).toBe(w.text);
          expect(w.start).toBeGreaterThanOrEqual(prev);
          expect(t.slice(prev, w.start)).toMatch(/^[\s\p{Z}\p{Cf}]*$/u);
          prev = w.end;
        }
        expect(t.slice(prev)).toMatch(/^[\s\p{Z}\p{Cf}]*$/u);
      }),
    );
  });

  it('never splits a grapheme (ZWJ emoji, flags, combining marks stay whole)', () => {
    const words = tokenizeWords('He said 👨‍👩‍👧 in 🇫🇷, e\u0301te\u0301 東京.');
    expect(words.map((w) => w.text)).toEqual(['He', 'said', '👨‍👩‍👧', 'in', '🇫🇷', ',', 'e\u0301te\u0301', '東', '京', '.']);
  });

  it('splits ASCII punctuation off words', () => {
    expect(tokenizeWords("U.S. Mr. O'Neil's $5,000!").map((w) => w.text)).toEqual([
      'U',
      '.',
      'S',
      '.',
      'Mr',
      '.',
      'O',
      "'",
      'Neil',
      "'",
      's',
      '$',
      '5',
      ',',
      '000',
      '!',
    ]);
  });
});

describe('spans <-> word BIO', () => {
  it('round-trips random word-aligned spans exactly (text -> BIO -> spans)', () => {
    fc.assert(
      fc.property(textAndSpans, ({ words, spans }) => {
        const tags = spansToBio(words, spans);
        expect(misalignedSpans(words, spans)).toEqual([]);
        for (let i = 0; i < tags.length; i++) {
          // IOB2: an I- tag always continues an entity of the same type.
          if (tags[i].startsWith('I-')) expect(tags[i - 1]?.slice(2)).toBe(tags[i].slice(2));
        }
        expect(bioToSpans(words, tags)).toEqual(spans);
      }),
    );
  });

  it('keeps the earlier span on overlap and restarts the later one with B-', () => {
    const words = tokenizeWords('a b c d');
    const tags = spansToBio(words, [
      { start: 2, end: 5, type: 'PER' },
      { start: 0, end: 7, type: 'ORG' },
    ]);
    expect(tags).toEqual(['B-ORG', 'B-PER', 'I-PER', 'B-ORG']);
  });

  it('widens a span that cuts a word and reports it as misaligned', () => {
    const words = tokenizeWords('Barack Obama');
    const spans = [{ start: 2, end: 12, type: 'PER' }];
    expect(spansToBio(words, spans)).toEqual(['B-PER', 'I-PER']);
    expect(misalignedSpans(words, spans)).toEqual(spans);
  });

  it('reads I- without B- as the start of an entity, like seqeval', () => {
    const words = tokenizeWords('in New York City');
    expect(bioToSpans(words, ['O', 'I-LOC', 'I-LOC', 'B-LOC'])).toEqual([
      { start: 3, end: 11, type: 'LOC' },
      { start: 12, end: 16, type: 'LOC' },
    ]);
  });
});

describe('spans <-> sub-word labels', () => {
  it('labels first sub-tokens, ignores the rest, and predictions map back to the same spans', () => {
    fc.assert(
      fc.property(
        textAndSpans,
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
        ({ words, spans }, cuts) => {
          const enc = fakeEncoding(words, cuts);
          const ids = spansToSubwordLabels(spans, enc, LABELS);
          expect(ids[0]).toBe(IGNORE_INDEX);
          expect(ids[ids.length - 1]).toBe(IGNORE_INDEX);
          const seen = new Set<number>();
          ids.forEach((id, t) => {
            const w = enc.wordIds[t];
            if (w === null || seen.has(w)) expect(id).toBe(IGNORE_INDEX);
            else expect(id).toBeGreaterThanOrEqual(0);
            if (w !== null) seen.add(w);
          });
          // A model that predicts the labels (and junk where the loss ignores) recovers the spans.
          const predicted = ids.map((id, t) => (id === IGNORE_INDEX ? (t * 7) % LABELS.length : id));
          expect(subwordPredictionsToSpans(predicted, enc, LABELS)).toEqual(spans);
        },
      ),
    );
  });

  it('names an entity type missing from the label list', () => {
    const words = tokenizeWords('Paris');
    const enc = fakeEncoding(words, [0]);
    expect(() => spansToSubwordLabels([{ start: 0, end: 5, type: 'GPE' }], enc, LABELS)).toThrow(AlignmentError);
    expect(() => spansToSubwordLabels([{ start: 0, end: 5, type: 'GPE' }], enc, LABELS)).toThrow(/B-GPE/);
  });
});
