import type { BertDims } from '../dims';
import { EMBEDDING_NAMES, layerParamNames } from '../param-names';
import type { ParamStore } from '../param-store';

/**
 * A plain float64 BERT forward on the host, written from the paper/HF code independently of the graph
 * builder, for tests only. Returns last_hidden_state per example as [T][H] arrays.
 */
export function referenceBertForward(
  dims: BertDims,
  store: ParamStore,
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[],
  tokenTypeIds?: readonly (readonly number[])[],
): number[][][] {
  return inputIds.map((ids, b) => forwardOne(dims, store, ids, attentionMask[b]!, tokenTypeIds?.[b]));
}

type Mat = number[][];

function t(store: ParamStore, name: string): Float32Array {
  const x = store.get(name);
  if (!x) throw new Error(`reference: missing ${name}`);
  return x.data;
}

function row(table: Float32Array, width: number, i: number): number[] {
  return Array.from(table.subarray(i * width, (i + 1) * width));
}

/** x [T, In] times W[Out, In]^T plus b. */
function linear(x: Mat, w: Float32Array, b: Float32Array, out: number): Mat {
  const inp = x[0]!.length;
  return x.map((xr) => {
    const y = new Array<number>(out);
    for (let o = 0; o < out; o++) {
      let s = b[o]!;
      for (let k = 0; k < inp; k++) s += xr[k]! * w[o * inp + k]!;
      y[o] = s;
    }
    return y;
  });
}

function layerNorm(x: Mat, gamma: Float32Array, beta: Float32Array, eps: number): Mat {
  return x.map((r) => {
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length;
    const inv = 1 / Math.sqrt(variance + eps);
    return r.map((v, i) => (v - mean) * inv * gamma[i]! + beta[i]!);
  });
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; use a series / continued fraction for double precision.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = x;
    let term = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction for large |x|.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

function gelu(v: number): number {
  return 0.5 * v * (1 + erf(v / Math.SQRT2));
}

function add(a: Mat, b: Mat): Mat {
  return a.map((r, i) => r.map((v, j) => v + b[i]![j]!));
}

function forwardOne(
  dims: BertDims,
  store: ParamStore,
  ids: readonly number[],
  mask: readonly number[],
  types: readonly number[] | undefined,
): Mat {
  const H = dims.hiddenSize;
  const word = t(store, EMBEDDING_NAMES.word);
  const pos = t(store, EMBEDDING_NAMES.position);
  let x: Mat = ids.map((id, p) => {
    const w = row(word, H, id);
    const pe = row(pos, H, p);
    const te = dims.typeVocabSize > 0 ? row(t(store, EMBEDDING_NAMES.tokenType), H, types?.[p] ?? 0) : undefined;
    return w.map((v, i) => v + pe[i]! + (te ? te[i]! : 0));
  });
  x = layerNorm(x, t(store, EMBEDDING_NAMES.norm.weight), t(store, EMBEDDING_NAMES.norm.bias), dims.layerNormEps);
  for (let l = 0; l < dims.numLayers; l++) x = layer(dims, store, l, x, mask);
  return x;
}

function layer(dims: BertDims, store: ParamStore, l: number, x: Mat, mask: readonly number[]): Mat {
  const n = layerParamNames(l);
  const H = dims.hiddenSize;
  const heads = dims.numHeads;
  const d = H / heads;
  const T = x.length;
  const q = linear(x, t(store, n.query.weight), t(store, n.query.bias), H);
  const k = linear(x, t(store, n.key.weight), t(store, n.key.bias), H);
  const v = linear(x, t(store, n.value.weight), t(store, n.value.bias), H);
  const ctx: Mat = Array.from({ length: T }, () => new Array<number>(H).fill(0));
  for (let hd = 0; hd < heads; hd++) {
    for (let i = 0; i < T; i++) {
      const scores: number[] = [];
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += q[i]![hd * d + c]! * k[j]![hd * d + c]!;
        scores.push(mask[j] ? s / Math.sqrt(d) : -Infinity);
      }
      const m = Math.max(...scores);
      const e = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < T; j++) {
        const p = e[j]! / z;
        for (let c = 0; c < d; c++) ctx[i]![hd * d + c]! += p * v[j]![hd * d + c]!;
      }
    }
  }
  const attn = linear(ctx, t(store, n.attnOut.weight), t(store, n.attnOut.bias), H);
  const y = layerNorm(add(attn, x), t(store, n.attnNorm.weight), t(store, n.attnNorm.bias), dims.layerNormEps);
  const inter = linear(y, t(store, n.ffnIn.weight), t(store, n.ffnIn.bias), dims.intermediateSize).map((r) =>
    r.map(gelu),
  );
  const out = linear(inter, t(store, n.ffnOut.weight), t(store, n.ffnOut.bias), H);
  return layerNorm(add(out, y), t(store, n.ffnNorm.weight), t(store, n.ffnNorm.bias), dims.layerNormEps);
}
