import { classificationScores, decodeBioPath, logSoftmaxAt, nerScores } from '../metrics';
import type { FeedTensor, HostTensor, Session } from '../runtime';
import type { EvalMetrics } from './events';
import type { TrainExample } from './example';
import { IGNORE, trainingFeeds } from './example';

export interface EvalLabels {
  readonly classLabels: readonly string[];
  /** BIO tag names by id (e.g. O, B-PER, I-PER, ...). */
  readonly nerTags: readonly string[];
}

/** Per-example predictions kept for error analysis (the dev examples a run gets wrong). */
export interface EvalPredictions {
  readonly classPred: readonly number[];
  readonly classProb: readonly number[];
}

function argmax(data: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (data[offset + i]! > data[offset + best]!) best = i;
  return best;
}

/** Sums of cross-entropy over labelled rows and their count, per task (the dev loss, unweighted). */
class DevLoss {
  private sum = 0;
  private count = 0;
  add(logProb: number): void {
    this.sum -= logProb;
    this.count++;
  }
  mean(): number | undefined {
    return this.count > 0 ? this.sum / this.count : undefined;
  }
}

/** Thrown by evaluate() when the run is cancelled between its batches (a slow device can take minutes). */
export class EvaluationCancelled extends Error {
  override readonly name = 'EvaluationCancelled';
  constructor() {
    super('evaluation stopped: the run was cancelled');
  }
}

/**
 * Runs the forward-only graph over dev examples in length-sorted batches and scores both heads:
 * accuracy / macro-F1 / per-class / confusion for classes, seqeval entity P/R/F1 for NER (tags read at the
 * first sub-word of each word, the positions whose gold label is not IGNORE).
 */
export async function evaluate(
  session: Session,
  params: Readonly<Record<string, FeedTensor>>,
  examples: readonly TrainExample[],
  labels: EvalLabels,
  batchSize: number,
  padId: number,
  cancelled: () => boolean = () => false,
  /** The graph's batch inputs (default: ids and mask, trainingFeeds; cached features: FeatureSplit.feeds). */
  feedsFor: (batch: readonly TrainExample[]) => Record<string, HostTensor> = (batch) =>
    trainingFeeds(batch, padId, { classification: false, ner: false }),
): Promise<{ metrics: EvalMetrics; predictions: EvalPredictions }> {
  const hasCls = labels.classLabels.length > 0;
  const hasNer = labels.nerTags.length > 0;
  const order = examples.map((_, i) => i).sort((a, b) => examples[a]!.ids.length - examples[b]!.ids.length);
  const classPred = new Array<number>(examples.length).fill(-1);
  const classProb = new Array<number>(examples.length).fill(0);
  const nerGold: string[][] = [];
  const nerPred: string[][] = [];
  const clsLoss = new DevLoss();
  const nerLoss = new DevLoss();
  for (let start = 0; start < order.length; start += batchSize) {
    if (cancelled()) throw new EvaluationCancelled();
    const idx = order.slice(start, start + batchSize);
    const batch = idx.map((i) => examples[i]!);
    const feeds = feedsFor(batch);
    const out = await session.run({ ...params, ...feeds });
    const seq = feeds['attention_mask']!.dims[1]!;
    if (hasCls) {
      const logits = out['class_logits']!.data as Float32Array; // [B, C]
      const c = labels.classLabels.length;
      idx.forEach((exampleIndex, b) => {
        const k = argmax(logits, b * c, c);
        classPred[exampleIndex] = k;
        classProb[exampleIndex] = Math.exp(logSoftmaxAt(logits, b * c, c, k));
        const gold = examples[exampleIndex]!.classLabel;
        if (gold !== IGNORE) clsLoss.add(logSoftmaxAt(logits, b * c, c, gold));
      });
    }
    if (hasNer) {
      const logits = out['token_logits']!.data as Float32Array; // [B, T, L]
      const l = labels.nerTags.length;
      batch.forEach((e, b) => {
        if (!e.nerLabels) return;
        const gold: string[] = [];
        const rows: number[] = []; // offsets of the labelled (first sub-word) rows of token_logits
        e.nerLabels.forEach((tag, t) => {
          if (tag === IGNORE) return;
          gold.push(labels.nerTags[tag]!);
          rows.push((b * seq + t) * l);
          nerLoss.add(logSoftmaxAt(logits, (b * seq + t) * l, l, tag));
        });
        nerGold.push(gold);
        // As prediction decodes (infer/decode.ts): the best valid BIO sequence, not arg-max per word.
        nerPred.push(decodeBioPath(logits, rows, labels.nerTags).map((k) => labels.nerTags[k]!));
      });
    }
  }
  const scores = scoreMetrics(examples, labels, classPred, nerGold, nerPred);
  const [c, n] = [clsLoss.mean(), nerLoss.mean()];
  // Dev loss per task (mean cross-entropy over labelled rows, as training computes it; total = the sum,
  // unweighted): the advisor reads over-fitting from it, which the metrics alone show late.
  const loss =
    c !== undefined || n !== undefined
      ? {
          total: (c ?? 0) + (n ?? 0),
          ...(c !== undefined && { classification: c }),
          ...(n !== undefined && { ner: n }),
        }
      : undefined;
  return { metrics: { ...scores, ...(loss && { loss }) }, predictions: { classPred, classProb } };
}

function scoreMetrics(
  examples: readonly TrainExample[],
  labels: EvalLabels,
  classPred: readonly number[],
  nerGold: readonly string[][],
  nerPred: readonly string[][],
): EvalMetrics {
  const withClass = examples
    .map((e, i) => ({ gold: e.classLabel, pred: classPred[i]! }))
    .filter((x) => x.gold !== IGNORE);
  let classification: EvalMetrics['classification'];
  if (labels.classLabels.length > 0 && withClass.length > 0) {
    const s = classificationScores(
      withClass.map((x) => labels.classLabels[x.gold]!),
      withClass.map((x) => labels.classLabels[x.pred]!),
      labels.classLabels,
    );
    classification = {
      accuracy: s.accuracy,
      macroF1: s.macroF1,
      labels: s.labels,
      confusion: s.confusion,
      perClass: s.labels.map((label) => ({ label, ...s.perClass[label]! })),
    };
  }
  let ner: EvalMetrics['ner'];
  if (nerGold.length > 0) {
    const s = nerScores(nerGold, nerPred);
    ner = {
      precision: s.micro.precision,
      recall: s.micro.recall,
      f1: s.micro.f1,
      perType: Object.entries(s.perType).map(([type, p]) => ({ type, ...p })),
    };
  }
  return { ...(classification && { classification }), ...(ner && { ner }) };
}
