import { op } from '../../onnx';
import type { GradRule } from '../rule';

/**
 * Gemm Y = alpha op(A) op(B) + beta C, as Gemms with swapped transposes:
 * dA = alpha dY op(B)^T (transposed back when transA), dB = alpha op(A)^T dY (likewise), dC = beta dY.
 */
export const gemmGrad: GradRule = ({ g, dy, input, needs, attrInt, attrFloat }) => {
  const a = input(0);
  const b = input(1);
  const transA = attrInt('transA', 0) === 1;
  const transB = attrInt('transB', 0) === 1;
  const alpha = attrFloat('alpha', 1);
  const beta = attrFloat('beta', 1);
  const da = !needs(0)
    ? null
    : transA
      ? op.gemm(g, b, dy, null, { transA: transB, transB: true, alpha }) // [K, M]
      : op.gemm(g, dy, b, null, { transB: !transB, alpha }); // [M, K]
  const db = !needs(1)
    ? null
    : transB
      ? op.gemm(g, dy, a, null, { transA: true, transB: transA, alpha }) // [N, K]
      : op.gemm(g, a, dy, null, { transA: !transA, alpha }); // [K, N]
  const dc = needs(2) ? (beta === 1 ? dy : op.mulScalar(g, dy, beta)) : null;
  return [da, db, dc];
};
