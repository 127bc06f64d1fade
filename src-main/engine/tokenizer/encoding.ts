/** A [start, end) range of UTF-16 code units in the original string; special tokens get [0, 0]. */
export type Offset = readonly [start: number, end: number];

/** One encoded sequence: [CLS] tokens [SEP], unpadded. */
export interface Encoding {
  readonly ids: Int32Array;
  /** All ones (padding only appears in batches). */
  readonly attentionMask: Int32Array;
  /** Per token; for encode() into the text, for encodeWords() into words[wordIds[i]]. */
  readonly offsets: readonly Offset[];
  /** Per token: index of the pre-tokenized word (encode) or of the input word (encodeWords); null for specials. */
  readonly wordIds: readonly (number | null)[];
  /** True when tokens were dropped to respect maxLength. */
  readonly truncated: boolean;
}

/** A window of a long sequence; it owns tokens [ownedStart, ownedEnd) (window indices) for stitching. */
export interface EncodingWindow extends Encoding {
  /** Index (among the full sequence's non-special tokens) of this window's first non-special token. */
  readonly tokenStart: number;
  readonly ownedStart: number;
  readonly ownedEnd: number;
}

/** Encodings padded to the longest in the batch; tensors are row-major [batchSize, seqLength]. */
export interface PaddedBatch {
  readonly encodings: readonly Encoding[];
  readonly batchSize: number;
  readonly seqLength: number;
  readonly inputIds: Int32Array; // [B, T]
  readonly attentionMask: Int32Array; // [B, T]
}

/** Non-special tokens of a whole input, before [CLS]/[SEP] and windowing. */
export interface Content {
  readonly ids: number[];
  readonly starts: number[];
  readonly ends: number[];
  readonly words: number[];
}

/** An empty content accumulator. */
export function emptyContent(): Content {
  return { ids: [], starts: [], ends: [], words: [] };
}

/** Wraps content[from, to) in [CLS] ... [SEP]. */
export function wrapContent(
  c: Content,
  from: number,
  to: number,
  clsId: number,
  sepId: number,
  truncated: boolean,
): Encoding {
  const n = to - from + 2;
  const ids = new Int32Array(n);
  const offsets: Offset[] = new Array<Offset>(n);
  const wordIds: (number | null)[] = new Array<number | null>(n);
  ids[0] = clsId;
  offsets[0] = [0, 0];
  wordIds[0] = null;
  for (let i = from, j = 1; i < to; i++, j++) {
    ids[j] = c.ids[i];
    offsets[j] = [c.starts[i], c.ends[i]];
    wordIds[j] = c.words[i];
  }
  ids[n - 1] = sepId;
  offsets[n - 1] = [0, 0];
  wordIds[n - 1] = null;
  return { ids, attentionMask: new Int32Array(n).fill(1), offsets, wordIds, truncated };
}

/** Pads encodings to the longest one with padId (attention 0 on padding). */
export function padBatch(encodings: readonly Encoding[], padId: number): PaddedBatch {
  const batchSize = encodings.length;
  let seqLength = 0;
  for (const e of encodings) seqLength = Math.max(seqLength, e.ids.length);
  const inputIds = new Int32Array(batchSize * seqLength).fill(padId);
  const attentionMask = new Int32Array(batchSize * seqLength);
  encodings.forEach((e, b) => {
    inputIds.set(e.ids, b * seqLength);
    attentionMask.set(e.attentionMask, b * seqLength);
  });
  return { encodings, batchSize, seqLength, inputIds, attentionMask };
}
