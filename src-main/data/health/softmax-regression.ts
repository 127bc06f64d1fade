// Multinomial logistic regression (a linear classification head) on fixed features, trained with
// mini-batch Adam, and k-fold out-of-sample probabilities from it: the input confident learning needs.
import { Rng } from '../../engine/random';
import type { ProbMatrix } from './confident-learning';
import type { Vectors } from './near-duplicates';

export interface SoftmaxRegressionOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** L2 penalty on the weights (not the biases), per example. */
  readonly l2?: number;
  readonly seed?: number;
}

/** A trained linear head: W [classes, dim] and b [classes]. */
export interface SoftmaxModel {
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly classes: number;
  readonly dim: number;
}

// 10 epochs at 0.003 reach the out-of-sample accuracy of 30 at 0.01 on AG News features in a third of the time.
const DEFAULTS = { epochs: 10, batchSize: 64, learningRate: 0.003, l2: 0, seed: 7 } as const;

/** Trains on the given rows of `x` (all rows when `rows` is omitted). Labels are 0..classes-1. */
export function fitSoftmax(
  x: Vectors,
  labels: readonly number[],
  classes: number,
  options: SoftmaxRegressionOptions = {},
  rows: readonly number[] = labels.map((_, i) => i),
): SoftmaxModel {
  const o = { ...DEFAULTS, ...options };
  const d = x.dim;
  const w = new Float32Array(classes * d);
  const b = new Float32Array(classes);
  const adam = {
    mW: new Float32Array(w.length),
    vW: new Float32Array(w.length),
    mB: new Float32Array(classes),
    vB: new Float32Array(classes),
    t: 0,
  };
  const gW = new Float32Array(w.length);
  const gB = new Float32Array(classes);
  const p = new Float32Array(classes);
  const rng = Rng.fromSeed(o.seed);
  const order = [...rows];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    for (let s = 0; s < order.length; s += o.batchSize) {
      const batch = order.slice(s, s + o.batchSize);
      gW.fill(0);
      gB.fill(0);
      for (const r of batch) {
        logitsInto(w, b, x, r, classes, p);
        softmaxInPlace(p);
        p[labels[r]!]! -= 1; // d(cross-entropy)/d(logits)
        const xo = r * d;
        for (let c = 0; c < classes; c++) {
          const g = p[c]!;
          if (g === 0) continue;
          gB[c]! += g;
          const wo = c * d;
          for (let k = 0; k < d; k++) gW[wo + k]! += g * x.data[xo + k]!;
        }
      }
      const scale = 1 / batch.length;
      for (let i = 0; i < gW.length; i++) gW[i] = gW[i]! * scale + o.l2 * w[i]!;
      for (let c = 0; c < classes; c++) gB[c] = gB[c]! * scale;
      adamStep(w, gW, adam.mW, adam.vW, b, gB, adam.mB, adam.vB, ++adam.t, o.learningRate);
    }
  }
  return { weights: w, bias: b, classes, dim: d };
}

/** Class probabilities of the given rows of `x` under `model`, row-major [rows.length, classes]. */
export function predictSoftmax(model: SoftmaxModel, x: Vectors, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * model.classes);
  const p = new Float32Array(model.classes);
  rows.forEach((r, i) => {
    logitsInto(model.weights, model.bias, x, r, model.classes, p);
    softmaxInPlace(p);
    out.set(p, i * model.classes);
  });
  return out;
}

/**
 * Stratified k-fold assignment: within each class the rows are shuffled (seeded) and dealt round-robin, so
 * every fold holds each class in proportion. Returns the fold of each row.
 */
export function stratifiedFolds(labels: readonly number[], k: number, seed: number): number[] {
  const fold = new Array<number>(labels.length).fill(0);
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => byClass.set(y, [...(byClass.get(y) ?? []), i]));
  const rng = Rng.fromSeed(seed);
  let offset = 0;
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = rng.shuffle(byClass.get(y)!);
    // Continue the deal where the last class stopped, so small classes do not all land in fold 0.
    rows.forEach((r, i) => (fold[r] = (offset + i) % k));
    offset = (offset + rows.length) % k;
  }
  return fold;
}

/** Out-of-sample probabilities: each row predicted by the head trained on the other k-1 folds. */
export function crossValidatedProbs(
  x: Vectors,
  labels: readonly number[],
  classes: number,
  k: number,
  options: SoftmaxRegressionOptions & { readonly onFold?: (done: number, total: number) => void } = {},
): ProbMatrix {
  const fold = stratifiedFolds(labels, k, options.seed ?? DEFAULTS.seed);
  const data = new Float32Array(labels.length * classes);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const held: number[] = [];
    fold.forEach((g, i) => (g === f ? held : train).push(i));
    const model = fitSoftmax(x, labels, classes, options, train);
    const probs = predictSoftmax(model, x, held);
    held.forEach((r, i) => data.set(probs.subarray(i * classes, (i + 1) * classes), r * classes));
    options.onFold?.(f + 1, k);
  }
  return { data, rows: labels.length, classes };
}

function logitsInto(
  w: Float32Array,
  b: Float32Array,
  x: Vectors,
  row: number,
  classes: number,
  out: Float32Array,
): void {
  const d = x.dim;
  const xo = row * d;
  for (let c = 0; c < classes; c++) {
    let s = b[c]!;
    const wo = c * d;
    for (let k = 0; k < d; k++) s += w[wo + k]! * x.data[xo + k]!;
    out[c] = s;
  }
}

function softmaxInPlace(p: Float32Array): void {
  let max = -Infinity;
  for (const v of p) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    p[i] = Math.exp(p[i]! - max);
    sum += p[i]!;
  }
  for (let i = 0; i < p.length; i++) p[i] = p[i]! / sum;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

function adamStep(
  w: Float32Array,
  gW: Float32Array,
  mW: Float32Array,
  vW: Float32Array,
  b: Float32Array,
  gB: Float32Array,
  mB: Float32Array,
  vB: Float32Array,
  t: number,
  lr: number,
): void {
  const c1 = 1 - BETA1 ** t;
  const c2 = 1 - BETA2 ** t;
  const update = (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array): void => {
    for (let i = 0; i < p.length; i++) {
      m[i] = BETA1 * m[i]! + (1 - BETA1) * g[i]!;
      v[i] = BETA2 * v[i]! + (1 - BETA2) * g[i]! * g[i]!;
      p[i] = p[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + EPS);
    }
  };
  update(w, gW, mW, vW);
  update(b, gB, mB, vB);
}
