// The label-error check end to end on fixed features: class indices, out-of-sample probabilities from an
// ensemble (k-fold linear head on the embeddings, leave-one-out kNN, k-fold bag-of-words head on the texts),
// confident learning, and the plain-language reason when the data cannot support it.
import { crossValidatedSparseProbs, tfidfRows, type BagOfWordsOptions } from './bag-of-words';
import { confidentLearning, type ConfidentLearningResult, type ProbMatrix } from './confident-learning';
import { knnProbs, type KnnOptions } from './knn';
import type { Neighbours, Vectors } from './near-duplicates';
import {
  crossValidatedProbs,
  fitSoftmax,
  type SoftmaxModel,
  type SoftmaxRegressionOptions,
} from './softmax-regression';

export interface LabelCheckOptions extends SoftmaxRegressionOptions {
  /** Folds of the cross-validation (default 5). */
  readonly folds?: number;
  /** Each row's nearest rows: when given, the probabilities are the mean of the head's and leave-one-out kNN's. */
  readonly neighbours?: Neighbours;
  readonly knn?: KnnOptions;
  /**
   * Each row's text: when given, a k-fold bag-of-words head joins the mean. A lexical model errs on other rows
   * than the embedding models, so the mean puts fewer correct labels confidently elsewhere (bench:health).
   */
  readonly texts?: readonly string[];
  readonly bagOfWords?: BagOfWordsOptions;
  readonly onFold?: (done: number, total: number) => void;
}

export type LabelCheckResult =
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'done';
      /** Class names, index = class id in `cl` and `probs`. */
      readonly classes: readonly string[];
      readonly probs: ProbMatrix;
      readonly cl: ConfidentLearningResult;
      /** Share of rows whose out-of-sample argmax equals the given label. */
      readonly crossValidatedAccuracy: number;
      /** The head trained on every labelled row (predicts dev when no run is given). */
      readonly model: SoftmaxModel;
      /** Rows the check used (labelled ones), as indices into the input. */
      readonly rows: readonly number[];
    };

/**
 * Folds when the caller names none: 10 (each head trains on 90 %; bench:health precision 0.596 -> 0.613 over 5),
 * fewer when the smallest class has fewer than 10 examples, down to 5, so small data keeps the check.
 */
export function defaultFolds(labels: readonly (string | undefined)[]): number {
  const counts = new Map<string, number>();
  for (const l of labels) if (l !== undefined) counts.set(l, (counts.get(l) ?? 0) + 1);
  const smallest = Math.min(...counts.values());
  return Math.max(5, Math.min(10, smallest));
}

/** Likely label errors among the labelled rows, or why the check cannot run on this data. */
export function labelCheck(
  features: Vectors,
  labels: readonly (string | undefined)[],
  options: LabelCheckOptions = {},
): LabelCheckResult {
  const k = options.folds ?? 5;
  const rows = labels.flatMap((l, i) => (l !== undefined ? [i] : []));
  const classes = [...new Set(rows.map((i) => labels[i]!))].sort();
  if (classes.length < 2) {
    return {
      kind: 'skipped',
      reason: `Label errors were not checked: the data has ${classes.length === 0 ? 'no class labels' : `only one class ("${classes[0]}")`}, and a classifier needs at least two.`,
    };
  }
  const counts = new Map<string, number>();
  for (const i of rows) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  const small = classes.filter((c) => counts.get(c)! < k);
  if (small.length > 0) {
    const list = small.map((c) => `"${c}" (${counts.get(c)})`).join(', ');
    return {
      kind: 'skipped',
      reason: `Label errors were not checked: ${k}-fold cross-validation needs at least ${k} examples of every class, and ${list} ${small.length === 1 ? 'has' : 'have'} fewer; add examples or merge ${small.length === 1 ? 'that class' : 'those classes'}.`,
    };
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = rows.map((i) => index.get(labels[i]!)!);
  const x = pickRows(features, rows);
  // Progress counts the folds of both k-fold members.
  const total = options.texts ? 2 * k : k;
  const members = [
    crossValidatedProbs(x, y, classes.length, k, { ...options, onFold: (done) => options.onFold?.(done, total) }),
  ];
  if (options.neighbours) {
    const all = labels.map((l) => (l === undefined ? -1 : index.get(l)!));
    members.push(knnProbs(options.neighbours, all, classes.length, rows, options.knn));
  }
  if (options.texts) {
    const texts = options.texts;
    const bow = tfidfRows(
      rows.map((i) => texts[i] ?? ''),
      options.bagOfWords?.bits,
    );
    members.push(
      crossValidatedSparseProbs(bow, y, classes.length, k, {
        ...(options.seed !== undefined && { seed: options.seed }),
        ...options.bagOfWords,
        onFold: (done) => options.onFold?.(k + done, total),
      }),
    );
  }
  const probs = mean(members);
  let correct = 0;
  y.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < classes.length; c++)
      if (probs.data[i * classes.length + c]! > probs.data[i * classes.length + best]!) best = c;
    if (best === label) correct++;
  });
  const cl = confidentLearning(y, probs);
  // Rows in `cl` index the labelled subset; map them back to input rows.
  const mapped: ConfidentLearningResult = { ...cl, issues: cl.issues.map((is) => ({ ...is, row: rows[is.row]! })) };
  const model = fitSoftmax(x, y, classes.length, options);
  return { kind: 'done', classes, probs, cl: mapped, crossValidatedAccuracy: correct / y.length, model, rows };
}

// The ensemble's probabilities: the plain mean of its members' (each already sums to 1 per row).
function mean(members: readonly ProbMatrix[]): ProbMatrix {
  const first = members[0]!;
  if (members.length === 1) return first;
  const data = new Float32Array(first.data.length);
  for (const m of members) for (let i = 0; i < data.length; i++) data[i] = data[i]! + m.data[i]! / members.length;
  return { data, rows: first.rows, classes: first.classes };
}

/** The given rows of `v` as a new contiguous matrix (the identity case returns `v` itself). */
export function pickRows(v: Vectors, rows: readonly number[]): Vectors {
  if (rows.length === v.rows && rows.every((r, i) => r === i)) return v;
  const data = new Float32Array(rows.length * v.dim);
  rows.forEach((r, i) => data.set(v.data.subarray(r * v.dim, (r + 1) * v.dim), i * v.dim));
  return { data, rows: rows.length, dim: v.dim };
}
