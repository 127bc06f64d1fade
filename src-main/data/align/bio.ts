import { getEntities } from '../../engine/metrics';
import type { CharSpan } from '../types';
import { AlignmentError } from './errors';

/** Anything with a [start, end) character range: a word, or the union of a word's sub-tokens. */
export interface CharRange {
  readonly start: number;
  readonly end: number;
}

/** Tag list for a set of entity types: "O" first, then B-/I- per type in the given order. */
export function bioLabelList(types: readonly string[]): string[] {
  return ['O', ...types.flatMap((t) => [`B-${t}`, `I-${t}`])];
}

/**
 * Char spans -> IOB2 word tags. A word belongs to a span when their ranges overlap; the first such word
 * gets B-, the rest I-. When spans overlap the earlier span in the array keeps its words (later spans only
 * tag words still "O"), so the output is always valid IOB2 (never I- without B-).
 */
export function spansToBio(words: readonly CharRange[], spans: readonly CharSpan[]): string[] {
  const tags = new Array<string>(words.length).fill('O');
  for (const span of spans) {
    let first = true;
    for (let i = firstWordEndingAfter(words, span.start); i < words.length && words[i].start < span.end; i++) {
      if (words[i].end <= span.start || words[i].start === words[i].end) continue;
      if (tags[i] !== 'O') {
        // An overlapping earlier span owns this word; whatever follows must restart with B-.
        first = true;
        continue;
      }
      tags[i] = `${first ? 'B' : 'I'}-${span.type}`;
      first = false;
    }
  }
  return tags;
}

/** Spans whose edges do not fall on word edges: spansToBio widens them to whole words. */
export function misalignedSpans(words: readonly CharRange[], spans: readonly CharSpan[]): CharSpan[] {
  const starts = new Set(words.map((w) => w.start));
  const ends = new Set(words.map((w) => w.end));
  return spans.filter((s) => !starts.has(s.start) || !ends.has(s.end));
}

/**
 * Word tags -> char spans, reading the tags as seqeval does (I- without B- starts an entity, a type
 * switch starts a new one). Each span runs from its first word's start to its last word's end.
 */
export function bioToSpans(words: readonly CharRange[], tags: readonly string[]): CharSpan[] {
  if (words.length !== tags.length) {
    throw new AlignmentError(`bioToSpans: ${words.length} words but ${tags.length} tags; pass one tag per word.`);
  }
  return getEntities(tags).map((e) => ({ start: words[e.start].start, end: words[e.end - 1].end, type: e.type }));
}

// Binary search: words are sorted and non-overlapping.
function firstWordEndingAfter(words: readonly CharRange[], pos: number): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[mid].end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
