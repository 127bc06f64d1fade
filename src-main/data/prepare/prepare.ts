import type { WordPieceTokenizer } from '../../engine/tokenizer';
import { IGNORE, type TrainExample } from '../../engine/trainer';
import { spansToSubwordLabels } from '../align';
import type { CharSpan } from '../types';

/** An example as the importers and labelers give it; `tokens` when the source was token based (CoNLL). */
export interface LabelledText {
  readonly text: string;
  readonly label?: string;
  readonly spans?: readonly CharSpan[];
  readonly tokens?: readonly string[];
  /**
   * Char ranges whose NER labels weigh less in the loss (e.g. low-confidence silver spans: weight 0 =
   * ignored); every other word weighs 1. Where ranges overlap a word, the smallest weight wins.
   */
  readonly nerWeights?: readonly WeightedRange[];
}

/** A char range [start, end) of a text and the weight of its words' NER labels. */
export interface WeightedRange {
  readonly start: number;
  readonly end: number;
  readonly weight: number;
}

export interface PrepareOptions {
  /** Class names by id; examples without a label (or with no classification task) get IGNORE. */
  readonly classLabels: readonly string[];
  /** BIO tags by id (bioLabelList(types)); empty = no NER task. */
  readonly nerTags: readonly string[];
  readonly maxLength: number;
  /** Whether these examples carry NER labels (spans may be empty = "no entities", which still teaches O). */
  readonly hasNer: boolean;
}

export interface PreparedExamples {
  readonly examples: TrainExample[];
  /** Examples cut at maxLength (classification reads the first maxLength tokens; NER loses the rest). */
  readonly truncated: number;
  /** Spans whose type is not in the task's types (dropped) by type. */
  readonly unknownTypes: Readonly<Record<string, number>>;
}

/** A labelled text the task cannot use; names the example and the fix. */
export class PrepareError extends Error {
  override readonly name = 'PrepareError';
}

/**
 * Tokenises examples and aligns their labels to sub-words: the class id, and for NER the IOB2 tag id on the
 * first sub-word of each word (IGNORE elsewhere). Words are the tokenizer's own (BERT's basic tokenizer:
 * whitespace and punctuation), for token-based examples (CoNLL) too, whose spans cover their text: so
 * training sees the words the predictor later reads raw text as. With CoNLL's own tokens instead, "U.S."
 * was one word at training (only "u" labelled) but four at prediction ("U", ".", "S", "."), and the 7 % of
 * CoNLL-2003 entities with punctuation inside a token came out cut short.
 */
export function prepareExamples(
  items: readonly LabelledText[],
  tokenizer: WordPieceTokenizer,
  options: PrepareOptions,
): PreparedExamples {
  const classIndex = new Map(options.classLabels.map((l, i) => [l, i] as const));
  const types = new Set(options.nerTags.filter((t) => t !== 'O').map((t) => t.slice(2)));
  const unknownTypes: Record<string, number> = {};
  let truncated = 0;
  const examples = items.map((item, i): TrainExample => {
    const enc = tokenizer.encode(item.text, { maxLength: options.maxLength });
    if (enc.truncated) truncated++;
    let classLabel = IGNORE;
    if (item.label !== undefined && options.classLabels.length > 0) {
      const id = classIndex.get(item.label);
      if (id === undefined)
        throw new PrepareError(
          `example ${i + 1} has class "${item.label}", which is not among [${options.classLabels.join(', ')}]; add it to the label set or fix the row.`,
        );
      classLabel = id;
    }
    const ids = Array.from(enc.ids);
    if (!options.hasNer || options.nerTags.length === 0) return { ids, classLabel };
    const spans = (item.spans ?? []).filter((s) => {
      if (types.has(s.type)) return true;
      unknownTypes[s.type] = (unknownTypes[s.type] ?? 0) + 1;
      return false;
    });
    const nerLabels = spansToSubwordLabels(spans, enc, options.nerTags);
    if (!item.nerWeights || item.nerWeights.length === 0) return { ids, classLabel, nerLabels };
    return { ids, classLabel, nerLabels, nerWeights: subwordWeights(item.nerWeights, enc) };
  });
  return { examples, truncated, unknownTypes };
}

/**
 * One weight per sub-token: a word's weight (the smallest of the ranges it overlaps, else 1) on all its
 * sub-tokens, 1 on specials. Only a word's first sub-token carries a label, so that is the weight that counts.
 */
function subwordWeights(
  ranges: readonly WeightedRange[],
  enc: { readonly wordIds: readonly (number | null)[]; readonly offsets: readonly (readonly [number, number])[] },
): number[] {
  const wordStart = new Map<number, number>();
  const wordEnd = new Map<number, number>();
  enc.wordIds.forEach((w, t) => {
    if (w === null) return;
    const [a, b] = enc.offsets[t]!;
    wordStart.set(w, Math.min(wordStart.get(w) ?? a, a));
    wordEnd.set(w, Math.max(wordEnd.get(w) ?? b, b));
  });
  return enc.wordIds.map((w) => {
    if (w === null) return 1;
    const [a, b] = [wordStart.get(w)!, wordEnd.get(w)!];
    return ranges.reduce((min, r) => (r.start < b && a < r.end ? Math.min(min, r.weight) : min), 1);
  });
}
