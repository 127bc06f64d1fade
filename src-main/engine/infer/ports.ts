// What the predictor needs from the tokenizer and the model runner, as narrow interfaces so the decoding
// and batching logic is testable with hand-made logits and adapters stay thin.
import type { TokenLayout } from './decode';
import type { OwnedWindow } from './stitch';

/** One encoded sequence, specials included. */
export interface EncodedSequence extends TokenLayout {
  readonly ids: ArrayLike<number>;
  /** True when tokens past `maxLength` were dropped. */
  readonly truncated: boolean;
}

/** One NER window: ids plus layout plus which positions it owns for stitching. */
export interface EncodedWindow extends OwnedWindow {
  readonly ids: ArrayLike<number>;
}

/** Tokenizer operations the predictor uses. */
export interface PredictorTokenizer {
  readonly padId: number;
  /** Encodes one text, truncated to `maxLength` tokens (specials included). */
  encode(text: string, options: { readonly maxLength?: number }): EncodedSequence;
  /**
   * Sliding windows of at most `maxLength` tokens overlapping by `stride` tokens; together they own every
   * token once, and window 0 holds the same tokens as `encode(text, { maxLength })`.
   */
  encodeWindows(text: string, maxLength: number, stride: number): readonly EncodedWindow[];
}

/** A padded batch in the exported graph's input convention. */
export interface BatchFeeds {
  readonly batch: number;
  readonly seq: number;
  readonly inputIds: BigInt64Array; // [B, T]
  readonly attentionMask: BigInt64Array; // [B, T]
  readonly tokenTypeIds: BigInt64Array; // [B, T]
}

/** Raw outputs of one forward pass; a missing one means the model has no such head/output. */
export interface ForwardOutputs {
  readonly classLogits?: Float32Array; // [B, C]
  readonly tokenLogits?: Float32Array; // [B, T, K]
  readonly sentenceEmbedding?: Float32Array; // [B, H]
}

/** Which optional outputs the caller needs from a forward pass (logits of every head are always returned). */
export interface OutputRequest {
  readonly sentenceEmbedding: boolean;
}

/** Runs the inference graph on one padded batch. */
export type ForwardFn = (feeds: BatchFeeds, want: OutputRequest) => Promise<ForwardOutputs>;
