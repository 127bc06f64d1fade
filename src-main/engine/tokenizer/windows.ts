import { type Content, type EncodingWindow, wrapContent } from './encoding';
import { TokenizerArgumentError } from './errors';

/** Checks window arguments; returns the number of content tokens per window. */
export function windowCapacity(maxLength: number, stride: number): number {
  if (!Number.isInteger(maxLength) || maxLength < 3) {
    throw new TokenizerArgumentError(
      `maxLength must be an integer >= 3 (room for [CLS], one token, [SEP]); got ${maxLength}`,
    );
  }
  const cap = maxLength - 2;
  if (!Number.isInteger(stride) || stride < 0 || stride >= cap) {
    throw new TokenizerArgumentError(
      `stride (tokens shared by neighbouring windows) must be an integer in [0, ${cap - 1}] for maxLength ${maxLength}; got ${stride}`,
    );
  }
  return cap;
}

/**
 * Sliding windows over content so that no token is dropped. Neighbours share `stride` tokens; each
 * shared token is owned by the window where it sits further from the edge (split at the overlap's middle).
 */
export function makeWindows(
  c: Content,
  maxLength: number,
  stride: number,
  clsId: number,
  sepId: number,
): EncodingWindow[] {
  const cap = windowCapacity(maxLength, stride);
  const n = c.ids.length;
  const starts: number[] = [0];
  while (starts[starts.length - 1] + cap < n) starts.push(starts[starts.length - 1] + cap - stride);
  const windows: EncodingWindow[] = [];
  for (let k = 0; k < starts.length; k++) {
    const a = starts[k];
    const b = Math.min(n, a + cap);
    const ownFrom = k === 0 ? a : Math.ceil((a + Math.min(n, starts[k - 1] + cap)) / 2);
    const ownTo = k === starts.length - 1 ? b : Math.ceil((starts[k + 1] + b) / 2);
    const enc = wrapContent(c, a, b, clsId, sepId, false);
    windows.push({ ...enc, tokenStart: a, ownedStart: ownFrom - a + 1, ownedEnd: ownTo - a + 1 });
  }
  return windows;
}

/** Joins per-window values (indexed like each window's tokens) into one value per content token, in order. */
export function stitchWindows<T>(windows: readonly EncodingWindow[], values: readonly ArrayLike<T>[]): T[] {
  if (values.length !== windows.length) {
    throw new TokenizerArgumentError(
      `stitchWindows got ${values.length} value arrays for ${windows.length} windows; pass one per window`,
    );
  }
  const out: T[] = [];
  windows.forEach((w, k) => {
    const v = values[k];
    if (v.length !== w.ids.length) {
      throw new TokenizerArgumentError(
        `window ${k} has ${w.ids.length} tokens but ${v.length} values; pass one value per token including [CLS]/[SEP]`,
      );
    }
    for (let i = w.ownedStart; i < w.ownedEnd; i++) out.push(v[i]);
  });
  return out;
}
