import type { BatchFeeds } from './ports';

/** Indices of `lengths` sorted by length (stable), cut into batches of at most `batchSize`. */
export function lengthSortedBatches(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/** Pads id sequences to the longest one (dynamic padding); mask 1 on real tokens, token types all 0. */
export function padBatch(sequences: readonly ArrayLike<number>[], padId: number): BatchFeeds {
  const batch = sequences.length;
  let seq = 0;
  for (const s of sequences) seq = Math.max(seq, s.length);
  const inputIds = new BigInt64Array(batch * seq).fill(BigInt(padId)); // [B, T]
  const attentionMask = new BigInt64Array(batch * seq); // [B, T]
  sequences.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) {
      inputIds[b * seq + t] = BigInt(s[t]!);
      attentionMask[b * seq + t] = 1n;
    }
  });
  return { batch, seq, inputIds, attentionMask, tokenTypeIds: new BigInt64Array(batch * seq) };
}
