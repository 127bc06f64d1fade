import { lengthSortedBatches, padBatch } from './batching';
import { argmaxProb, decodeEntities } from './decode';
import { InferenceError } from './errors';
import type {
  BatchFeeds,
  EncodedSequence,
  EncodedWindow,
  ForwardFn,
  ForwardOutputs,
  PredictorTokenizer,
} from './ports';
import { stitchWindows } from './stitch';
import type { ClassProb, HeadLabels, PredictError, PredictionOk, TextPrediction } from './types';

/** Sequences per forward pass unless PredictorOptions.batchSize says otherwise. */
export const DEFAULT_BATCH_SIZE = 32;

/** Predictor settings; defaults follow the training recipe. */
export interface PredictorOptions {
  /** Tokens per sequence, specials included (classification truncates here; NER slides windows). Default 128. */
  readonly maxLength?: number;
  /** Tokens shared by consecutive NER windows. Default maxLength / 4. */
  readonly stride?: number;
  /** Sequences per forward pass. Default DEFAULT_BATCH_SIZE (32). */
  readonly batchSize?: number;
  /** Return each text's sentence embedding. Default false. */
  readonly embeddings?: boolean;
  /** Longer texts get a 'too-long' error instead of being processed. Default 1,000,000 chars. */
  readonly maxChars?: number;
  /** Batches sent to the forward function before the first returns (a forward pool's worker count). Default 1. */
  readonly inFlight?: number;
}

type Plan =
  | { readonly kind: 'error'; readonly error: PredictError }
  | {
      readonly kind: 'ok';
      readonly text: string;
      readonly classify: EncodedSequence;
      readonly windows: readonly EncodedWindow[];
    };

/** One forward-pass row: which text it belongs to and what its outputs are used for. */
interface Item {
  readonly text: number;
  readonly ids: ArrayLike<number>;
  readonly classify: boolean;
  /** Index into the text's windows, or -1 when the row only classifies. */
  readonly window: number;
}

/** Per-item outputs copied out of the batch tensors. */
interface ItemOutputs {
  classLogits?: Float32Array;
  tokenLogits?: Float32Array;
  embedding?: Float32Array;
}

/**
 * Predicts class probabilities, entity spans (char offsets into the original text) and optionally sentence
 * embeddings for a list of texts. Rows are sorted by length and padded per batch; results come back in
 * input order. A bad text yields a per-text error, never an exception for the whole call.
 */
export class Predictor {
  private readonly maxLength: number;
  private readonly stride: number;
  private readonly batchSize: number;
  private readonly maxChars: number;

  constructor(
    private readonly tokenizer: PredictorTokenizer,
    private readonly forward: ForwardFn,
    readonly labels: HeadLabels,
    private readonly options: PredictorOptions = {},
  ) {
    this.maxLength = options.maxLength ?? 128;
    this.stride = options.stride ?? Math.floor(this.maxLength / 4);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxChars = options.maxChars ?? 1_000_000;
    if (this.maxLength < 3)
      throw new InferenceError(
        `maxLength ${this.maxLength} leaves no room for text between [CLS] and [SEP]; use at least 3.`,
      );
    if (this.stride < 0 || this.stride >= this.maxLength - 2) {
      throw new InferenceError(
        `stride ${this.stride} must be in 0..${this.maxLength - 3} for maxLength ${this.maxLength}.`,
      );
    }
    if (this.batchSize < 1) throw new InferenceError(`batchSize ${this.batchSize} must be at least 1.`);
    const inFlight = options.inFlight ?? 1;
    if (!Number.isInteger(inFlight) || inFlight < 1)
      throw new InferenceError(`inFlight ${inFlight} must be a whole number of at least 1 (batches pending at once).`);
  }

  /** Predicts every text; the result array matches `texts` index for index. */
  async predict(texts: readonly unknown[]): Promise<TextPrediction[]> {
    const plans = texts.map((t) => this.plan(t));
    const items = this.items(plans);
    const outputs = await this.run(items);
    const byText = new Map<number, { main?: ItemOutputs; windows: ItemOutputs[] }>();
    items.forEach((it, i) => {
      const entry = byText.get(it.text) ?? { windows: [] };
      if (it.classify) entry.main = outputs[i];
      if (it.window >= 0) entry.windows[it.window] = outputs[i]!;
      byText.set(it.text, entry);
    });
    return plans.map((plan, i) => {
      if (plan.kind === 'error') return { ok: false, error: plan.error };
      const entry = byText.get(i)!;
      return this.assemble(plan, entry.main!, entry.windows);
    });
  }

  private plan(text: unknown): Plan {
    if (typeof text !== 'string') {
      return fail(
        'not-a-string',
        `Expected a string, got ${text === null ? 'null' : typeof text}; pass text as a string.`,
      );
    }
    if (text.trim() === '')
      return fail('empty', 'The text is empty or only whitespace; there is nothing to classify or tag.');
    if (text.length > this.maxChars) {
      return fail(
        'too-long',
        `The text has ${text.length} characters, more than the limit of ${this.maxChars}; split it or raise maxChars.`,
      );
    }
    try {
      return this.encode(text);
    } catch (e) {
      // The tokenizer promises not to throw on text; if it ever does, only this text fails, with the cause.
      return fail(
        'tokenizer-failed',
        `The tokenizer failed on this text: ${e instanceof Error ? e.message : String(e)}. Please report it with the text.`,
      );
    }
  }

  private encode(text: string): Plan {
    const classify = this.tokenizer.encode(text, { maxLength: this.maxLength });
    if (!classify.wordIds.some((w) => w !== null)) {
      return fail(
        'no-tokens',
        'The text has no tokens the model knows (only control or unsupported characters); check its encoding.',
      );
    }
    // The first window holds the same tokens as the truncated encoding, so it also serves the classifier.
    const windows =
      this.labels.ner.length > 0 && classify.truncated
        ? this.tokenizer.encodeWindows(text, this.maxLength, this.stride)
        : [];
    return { kind: 'ok', text, classify, windows };
  }

  // A text that fits runs once for both heads; a longer one runs truncated for classification plus windows for NER.
  private items(plans: readonly Plan[]): Item[] {
    const items: Item[] = [];
    plans.forEach((plan, text) => {
      if (plan.kind === 'error') return;
      if (plan.windows.length === 0) {
        items.push({ text, ids: plan.classify.ids, classify: true, window: -1 });
        return;
      }
      plan.windows.forEach((w, window) => items.push({ text, ids: w.ids, classify: window === 0, window }));
    });
    return items;
  }

  private async run(items: readonly Item[]): Promise<ItemOutputs[]> {
    const outputs: ItemOutputs[] = items.map(() => ({}));
    const batches = lengthSortedBatches(
      items.map((it) => it.ids.length),
      this.batchSize,
    );
    let next = 0;
    // Each lane takes the next batch when its last returns: up to `inFlight` forwards are pending at once.
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const feeds = padBatch(
          batch.map((i) => items[i]!.ids),
          this.tokenizer.padId,
        );
        let out: ForwardOutputs;
        try {
          out = await this.forward(feeds, { sentenceEmbedding: this.options.embeddings === true });
        } catch (err) {
          next = batches.length; // the call fails as a whole: the other lanes take no more batches
          throw err;
        }
        batch.forEach((itemIndex, row) => this.collect(items[itemIndex]!, out, row, feeds, outputs[itemIndex]!));
      }
    };
    const lanes = Math.min(this.options.inFlight ?? 1, batches.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    return outputs;
  }

  private collect(item: Item, out: ForwardOutputs, row: number, feeds: BatchFeeds, dest: ItemOutputs): void {
    const c = this.labels.classification.length;
    const k = this.labels.ner.length;
    if (item.classify && c > 0) dest.classLogits = rowOf(out.classLogits, 'class_logits', row, c);
    if (k > 0) {
      // [B, T, K] -> this row's first `length` tokens
      const all = required(out.tokenLogits, 'token_logits');
      dest.tokenLogits = all.slice(row * feeds.seq * k, (row * feeds.seq + item.ids.length) * k);
    }
    if (item.classify && this.options.embeddings === true) {
      const e = required(out.sentenceEmbedding, 'sentence_embedding'); // [B, H]
      const h = e.length / feeds.batch;
      dest.embedding = e.slice(row * h, (row + 1) * h);
    }
  }

  private assemble(
    plan: Extract<Plan, { kind: 'ok' }>,
    main: ItemOutputs,
    windows: readonly ItemOutputs[],
  ): PredictionOk {
    const classProbs = this.classProbs(main.classLogits);
    const label = classProbs.length > 0 ? classProbs.reduce((a, b) => (b.prob > a.prob ? b : a)).label : null;
    const k = this.labels.ner.length;
    let entities: PredictionOk['entities'] = [];
    if (k > 0 && plan.windows.length === 0) {
      entities = decodeEntities(plan.text, plan.classify, required(main.tokenLogits, 'token_logits'), this.labels.ner);
    } else if (k > 0) {
      const logits = plan.windows.map((_, w) => required(windows[w]?.tokenLogits, 'token_logits'));
      const stitched = stitchWindows(plan.windows, logits, k);
      entities = decodeEntities(plan.text, stitched, stitched.logits, this.labels.ner);
    }
    const base = { ok: true as const, classProbs, label, entities, truncated: plan.classify.truncated };
    return main.embedding ? { ...base, embedding: main.embedding } : base;
  }

  private classProbs(logits: Float32Array | undefined): ClassProb[] {
    const names = this.labels.classification;
    if (names.length === 0 || !logits) return [];
    const { index, prob } = argmaxProb(logits, 0, names.length);
    const max = logits[index]!;
    const scale = prob; // 1 / sum(exp(l - max))
    return names.map((label, i) => ({ label, prob: Math.exp(logits[i]! - max) * scale }));
  }
}

function fail(code: PredictError['code'], message: string): Plan {
  return { kind: 'error', error: { code, message } };
}

function required(t: Float32Array | undefined, name: string): Float32Array {
  if (!t) {
    throw new InferenceError(
      `The forward pass returned no '${name}' output although the labels or options need it; use a model graph with that output (both heads, sentence_embedding).`,
    );
  }
  return t;
}

function rowOf(t: Float32Array | undefined, name: string, row: number, width: number): Float32Array {
  return required(t, name).slice(row * width, (row + 1) * width);
}
