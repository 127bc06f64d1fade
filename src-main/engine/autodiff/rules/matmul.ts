import { type Graph, type Value, op } from '../../onnx';
import type { GradRule } from '../rule';

/**
 * MatMul (numpy semantics): dA = dY B^T, dB = A^T dY on the last two axes. 1-D operands are promoted to
 * matrices and the gradient squeezed back; broadcast batch dims are summed by the walker, except for the
 * common x [..., K] @ W [K, N] case, where dW is one [K, B*T] x [B*T, N] Gemm instead of a batched product
 * followed by a sum.
 */
export const matMulGrad: GradRule = ({ g, dy, input, needs }) => {
  const a = input(0);
  const b = input(1);
  const aVec = a.shape.length === 1;
  const bVec = b.shape.length === 1;
  const A = aVec ? op.unsqueeze(g, a, [0]) : a; // [..., M, K]
  const B = bVec ? op.unsqueeze(g, b, [1]) : b; // [..., K, N]
  let D = bVec ? op.unsqueeze(g, dy, [-1]) : dy;
  if (aVec) D = op.unsqueeze(g, D, [-2]); // [..., M, N]
  let ga: Value | null = null;
  let gb: Value | null = null;
  if (needs(0)) {
    ga = op.matMul(g, D, swapLast(g, B)); // [..., M, K]
    if (aVec) ga = op.squeeze(g, ga, [-2]);
  }
  if (needs(1)) {
    gb = flatWeightGrad(g, A, B, D) ?? op.matMul(g, swapLast(g, A), D); // [..., K, N]
    if (bVec) gb = op.squeeze(g, gb, [-1]);
  }
  return [ga, gb];
};

function swapLast(g: Graph, x: Value): Value {
  const r = x.shape.length;
  return op.transpose(g, x, [...Array(r - 2).keys(), r - 1, r - 2]);
}

/** A^T D summed over batch as one Gemm when B is a plain [K, N] matrix with static K and N. */
function flatWeightGrad(g: Graph, A: Value, B: Value, D: Value): Value | null {
  const [k, n] = B.shape;
  if (B.shape.length !== 2 || A.shape.length <= 2 || typeof k !== 'number' || typeof n !== 'number') return null;
  const a2 = flatten(g, A, k); // [B*T, K]
  const d2 = flatten(g, D, n); // [B*T, N]
  return op.gemm(g, a2, d2, null, { transA: true }); // [K, N]
}

/** [..., last] -> [prod(...), last] with constant dims [-1, last] (the builder's inference cannot name 3*B). */
function flatten(g: Graph, x: Value, last: number): Value {
  const lead = x.shape.slice(0, -1);
  const rows = lead.every((d) => typeof d === 'number')
    ? lead.reduce<number>((p, d) => p * (d as number), 1)
    : lead.join('*');
  return g.addNode('Reshape', [x, g.int64s([-1, last])], [{ dtype: x.dtype, shape: [rows, last] }])[0]!;
}
