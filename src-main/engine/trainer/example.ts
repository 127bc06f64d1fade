import type { HostTensor } from '../runtime';
import { hostTensor } from '../runtime';

/** Label id meaning "no label here" (as in PyTorch's cross-entropy ignore_index). */
export const IGNORE = -100;

/**
 * One tokenised training or dev example. classLabel is IGNORE when the example has no class label;
 * nerLabels (one per token, IGNORE on specials and non-first sub-words) is absent when it has no NER labels.
 */
export interface TrainExample {
  readonly ids: readonly number[];
  readonly classLabel: number;
  readonly nerLabels?: readonly number[];
  /**
   * Each NER label's weight in the loss (one per token, >= 0; absent = all 1): e.g. 0 on the tokens of a
   * low-confidence silver span, so the model neither learns it as an entity nor as O.
   */
  readonly nerWeights?: readonly number[];
}

/** The batch inputs of the training graph: ids, float mask, int32 labels, padded to the longest row. */
export function trainingFeeds(
  examples: readonly TrainExample[],
  padId: number,
  tasks: { readonly classification: boolean; readonly ner: boolean; readonly nerWeights?: boolean },
): Record<string, HostTensor> {
  const batch = examples.length;
  const seq = Math.max(1, ...examples.map((e) => e.ids.length));
  const ids = new BigInt64Array(batch * seq).fill(BigInt(padId)); // [B, T]
  const mask = new Float32Array(batch * seq); // [B, T]
  const ner = new Int32Array(batch * seq).fill(IGNORE); // [B, T]
  const cls = new Int32Array(batch); // [B]
  const weights = tasks.nerWeights ? new Float32Array(batch * seq).fill(1) : null; // [B, T]
  examples.forEach((e, b) => {
    for (let t = 0; t < e.ids.length; t++) {
      ids[b * seq + t] = BigInt(e.ids[t]!);
      mask[b * seq + t] = 1;
      if (e.nerLabels) ner[b * seq + t] = e.nerLabels[t]!;
      if (weights && e.nerWeights) weights[b * seq + t] = e.nerWeights[t]!;
    }
    cls[b] = e.classLabel;
  });
  const feeds: Record<string, HostTensor> = {
    input_ids: hostTensor('int64', ids, [batch, seq]),
    attention_mask: hostTensor('float32', mask, [batch, seq]),
  };
  if (tasks.classification) feeds['class_labels'] = hostTensor('int32', cls, [batch]);
  if (tasks.ner) feeds['ner_labels'] = hostTensor('int32', ner, [batch, seq]);
  if (tasks.ner && weights) feeds['ner_token_weights'] = hostTensor('float32', weights, [batch, seq]);
  return feeds;
}

/** Checks examples against the label counts and the length limit before any graph is built. */
export function validateExamples(
  examples: readonly TrainExample[],
  what: string,
  numClasses: number,
  numNerLabels: number,
  maxLength: number,
): void {
  examples.forEach((e, i) => {
    const where = `${what} example ${i}`;
    if (e.ids.length === 0 || e.ids.length > maxLength) {
      throw new RangeError(
        `${where} has ${e.ids.length} tokens; expected 1..${maxLength}. Tokenise with truncation to maxLength.`,
      );
    }
    if (e.classLabel !== IGNORE && !(e.classLabel >= 0 && e.classLabel < numClasses)) {
      throw new RangeError(
        `${where} has class id ${e.classLabel}; expected 0..${numClasses - 1} or ${IGNORE} for none.`,
      );
    }
    if (e.nerLabels) {
      if (e.nerLabels.length !== e.ids.length) {
        throw new RangeError(
          `${where} has ${e.nerLabels.length} NER labels for ${e.ids.length} tokens; give one per token.`,
        );
      }
      const bad = e.nerLabels.find((l) => l !== IGNORE && !(l >= 0 && l < numNerLabels));
      if (bad !== undefined)
        throw new RangeError(`${where} has NER tag id ${bad}; expected 0..${numNerLabels - 1} or ${IGNORE}.`);
    }
    if (e.nerWeights) {
      if (!e.nerLabels || e.nerWeights.length !== e.ids.length) {
        throw new RangeError(
          `${where} has ${e.nerWeights.length} NER weights for ${e.nerLabels ? e.ids.length : 'no'} NER labels; give one weight per token, and only with NER labels.`,
        );
      }
      const bad = e.nerWeights.find((w) => !(w >= 0 && Number.isFinite(w)));
      if (bad !== undefined) throw new RangeError(`${where} has NER weight ${bad}; expected a finite number >= 0.`);
    }
  });
}
