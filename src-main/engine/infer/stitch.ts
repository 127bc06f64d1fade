import type { TokenLayout } from './decode';
import { InferenceError } from './errors';

/** One NER window as the predictor ran it: its layout and which of its token positions it owns. */
export interface OwnedWindow extends TokenLayout {
  /** Index of this window's first content token among the text's content tokens (position 1, after [CLS]). */
  readonly tokenStart: number;
  /** Token positions [ownedStart, ownedEnd) of this window whose predictions are kept. */
  readonly ownedStart: number;
  readonly ownedEnd: number;
}

/** The text's tokens as one logical sequence, with one logits row per token. */
export interface StitchedSequence extends TokenLayout {
  readonly logits: Float32Array; // [T, K]
}

/**
 * Concatenates the owned tokens of consecutive windows (and their logits rows) into one sequence, so a
 * long text decodes exactly like a short one. Owned ranges must tile the text in order: a token owned
 * twice or out of order means the windows were built wrongly, which is an error rather than a guess.
 */
export function stitchWindows(
  windows: readonly OwnedWindow[],
  windowLogits: readonly Float32Array[], // each [T_w, K]
  width: number,
): StitchedSequence {
  if (windows.length !== windowLogits.length) {
    throw new InferenceError(`stitchWindows: ${windows.length} windows but ${windowLogits.length} logits arrays.`);
  }
  let total = 0;
  for (const w of windows) total += Math.max(0, w.ownedEnd - w.ownedStart);
  const offsets: (readonly [number, number])[] = [];
  const wordIds: (number | null)[] = [];
  const logits = new Float32Array(total * width);
  let nextContent = 0;
  let row = 0;
  windows.forEach((w, i) => {
    const src = windowLogits[i]!;
    if (w.ownedStart < 0 || w.ownedEnd > w.wordIds.length || src.length < w.wordIds.length * width) {
      throw new InferenceError(
        `stitchWindows: window ${i} owns tokens [${w.ownedStart}, ${w.ownedEnd}) of ${w.wordIds.length} with ${src.length / width} logits rows.`,
      );
    }
    // Content position of owned token t is tokenStart + t - 1; they must continue exactly where the last window stopped.
    if (w.ownedEnd > w.ownedStart && w.tokenStart + w.ownedStart - 1 !== nextContent) {
      throw new InferenceError(
        `stitchWindows: window ${i} owns content tokens from ${w.tokenStart + w.ownedStart - 1} but the previous windows end at ${nextContent}; owned ranges must tile the text without gaps or overlaps.`,
      );
    }
    nextContent += Math.max(0, w.ownedEnd - w.ownedStart);
    for (let t = w.ownedStart; t < w.ownedEnd; t++) {
      const off = w.offsets[t]!;
      const id = w.wordIds[t] ?? null;
      offsets.push(off);
      wordIds.push(id);
      logits.set(src.subarray(t * width, (t + 1) * width), row * width);
      row++;
    }
  });
  return { offsets, wordIds, logits };
}
