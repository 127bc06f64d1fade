import { decodeBioPath, getEntities, logSoftmaxAt } from '../metrics';
import { InferenceError } from './errors';
import type { PredictedEntity } from './types';

/** Sub-token layout of one logical sequence: char offsets into the original text and word ids (null = special). */
export interface TokenLayout {
  readonly offsets: readonly (readonly [number, number])[];
  readonly wordIds: readonly (number | null)[];
}

/** Per word: char range (union of its sub-tokens) and the index of its first sub-token. */
interface WordSpan {
  readonly start: number;
  readonly end: number;
  readonly firstToken: number;
}

// Consecutive sub-tokens with the same word id form one word; ids need not start at 0 (windows, stitching).
function groupWords(layout: TokenLayout): WordSpan[] {
  const words: WordSpan[] = [];
  let current: { start: number; end: number; firstToken: number; id: number } | null = null;
  for (let t = 0; t < layout.wordIds.length; t++) {
    const id = layout.wordIds[t];
    if (id === null || id === undefined) continue;
    const [s, e] = layout.offsets[t]!;
    if (current !== null && current.id === id) {
      current.start = Math.min(current.start, s);
      current.end = Math.max(current.end, e);
      continue;
    }
    if (current !== null) words.push(current);
    current = { start: s, end: e, firstToken: t, id };
  }
  if (current !== null) words.push(current);
  return words;
}

/** Arg-max and its softmax probability of one logits row. */
export function argmaxProb(
  logits: Float32Array,
  offset: number,
  width: number,
): { readonly index: number; readonly prob: number } {
  let best = 0;
  let max = -Infinity;
  for (let k = 0; k < width; k++) {
    const v = logits[offset + k]!;
    if (v > max) {
      max = v;
      best = k;
    }
  }
  let sum = 0;
  for (let k = 0; k < width; k++) sum += Math.exp(logits[offset + k]! - max);
  return { index: best, prob: 1 / sum };
}

/**
 * Token logits -> entities with char offsets. Each word is scored by its first sub-token (the one trained
 * with a label) and the sentence takes the most probable valid BIO tag sequence (metrics/bio-decode.ts: no
 * I- without its B-), as the trainer's evaluation does. An entity spans its first word's start to its last
 * word's end, and its confidence is the mean probability of the chosen tags.
 */
export function decodeEntities(
  text: string,
  layout: TokenLayout,
  tokenLogits: Float32Array, // [T, K] row-major, T = layout length
  tags: readonly string[],
): PredictedEntity[] {
  const width = tags.length;
  if (layout.offsets.length !== layout.wordIds.length) {
    throw new InferenceError(
      `decodeEntities: ${layout.offsets.length} offsets but ${layout.wordIds.length} word ids; the tokenizer must give one of each per sub-token.`,
    );
  }
  if (tokenLogits.length < layout.wordIds.length * width) {
    throw new InferenceError(
      `decodeEntities: ${tokenLogits.length} logits for ${layout.wordIds.length} tokens x ${width} tags; expected at least ${layout.wordIds.length * width}.`,
    );
  }
  const words = groupWords(layout);
  const rows = words.map((w) => w.firstToken * width);
  const path = decodeBioPath(tokenLogits, rows, tags);
  const wordTags = path.map((k) => tags[k]!);
  const wordProbs = path.map((k, i) => Math.exp(logSoftmaxAt(tokenLogits, rows[i]!, width, k)));
  return getEntities(wordTags).map((chunk) => {
    const start = words[chunk.start]!.start;
    const end = words[chunk.end - 1]!.end;
    let sum = 0;
    for (let i = chunk.start; i < chunk.end; i++) sum += wordProbs[i]!;
    return { start, end, type: chunk.type, text: text.slice(start, end), confidence: sum / (chunk.end - chunk.start) };
  });
}
