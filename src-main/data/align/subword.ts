import type { CharSpan } from '../types';
import { bioToSpans, spansToBio, type CharRange } from './bio';
import { AlignmentError } from './errors';

/** Label id that loss functions ignore (Hugging Face / PyTorch convention). */
export const IGNORE_INDEX = -100;

/** What alignment needs from a tokenizer's encoding: per sub-token word id (null = special) and char offsets. */
export interface SubwordEncoding {
  readonly wordIds: readonly (number | null)[];
  /** [start, end) of each sub-token in the original text; specials may be [0, 0]. */
  readonly offsets: readonly (readonly [number, number])[];
}

interface WordLayout {
  /** Char range of each word (union of its sub-tokens). */
  readonly words: CharRange[];
  /** Index of each word's first sub-token. */
  readonly firstToken: number[];
}

// Words are numbered by the tokenizer; a word's range is the union of its sub-tokens' offsets.
function layout(enc: SubwordEncoding): WordLayout {
  if (enc.wordIds.length !== enc.offsets.length) {
    throw new AlignmentError(
      `Encoding has ${enc.wordIds.length} word ids but ${enc.offsets.length} offsets; they must be the same length.`,
    );
  }
  const starts: number[] = [];
  const ends: number[] = [];
  const firstToken: number[] = [];
  for (let t = 0; t < enc.wordIds.length; t++) {
    const w = enc.wordIds[t];
    if (w === null) continue;
    const [s, e] = enc.offsets[t];
    if (firstToken[w] === undefined) {
      firstToken[w] = t;
      starts[w] = s;
      ends[w] = e;
    } else {
      starts[w] = Math.min(starts[w], s);
      ends[w] = Math.max(ends[w], e);
    }
  }
  const words: CharRange[] = [];
  for (let w = 0; w < firstToken.length; w++) {
    if (firstToken[w] === undefined) {
      throw new AlignmentError(`Word id ${w} never occurs although a higher one does; word ids must be dense 0..n-1.`);
    }
    words.push({ start: starts[w], end: ends[w] });
  }
  return { words, firstToken };
}

/**
 * Char spans -> one label id per sub-token: the first sub-token of each word gets its IOB2 tag id, the
 * other sub-tokens and special tokens get -100. `labels` is the tag list (see bioLabelList).
 */
export function spansToSubwordLabels(
  spans: readonly CharSpan[],
  enc: SubwordEncoding,
  labels: readonly string[],
): number[] {
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const { words, firstToken } = layout(enc);
  const tags = spansToBio(words, spans);
  const out = new Array<number>(enc.wordIds.length).fill(IGNORE_INDEX);
  for (let w = 0; w < words.length; w++) {
    const id = index.get(tags[w]);
    if (id === undefined) {
      throw new AlignmentError(
        `Tag "${tags[w]}" is not in the label list [${labels.join(', ')}]; add its entity type to the task's types.`,
      );
    }
    out[firstToken[w]] = id;
  }
  return out;
}

/**
 * Predicted tag id per sub-token -> char spans. Each word takes the prediction of its first sub-token;
 * the word tags are then read as seqeval reads them (I- without B- starts an entity).
 */
export function subwordPredictionsToSpans(
  predicted: ArrayLike<number>,
  enc: SubwordEncoding,
  labels: readonly string[],
): CharSpan[] {
  if (predicted.length !== enc.wordIds.length) {
    throw new AlignmentError(
      `${predicted.length} predictions for ${enc.wordIds.length} sub-tokens; pass one tag id per sub-token.`,
    );
  }
  const { words, firstToken } = layout(enc);
  const tags = firstToken.map((t) => {
    const tag = labels[predicted[t]];
    if (tag === undefined) {
      throw new AlignmentError(
        `Predicted tag id ${predicted[t]} at sub-token ${t} is outside 0..${labels.length - 1}.`,
      );
    }
    return tag;
  });
  return bioToSpans(words, tags);
}
