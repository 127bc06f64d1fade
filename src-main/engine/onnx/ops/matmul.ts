import { describeValue, GraphBuildError } from '../errors';
import type { Graph, Value } from '../graph';
import { attr } from '../graph';
import type { Dim } from '../shape';
import { broadcastShapes } from '../shape';
import { requireFloat, requireRank, requireSameDtype } from './check';

/** Numpy matmul: a [..., M, K] x b [..., K, N] -> [..., M, N] (batch dims broadcast; 1-D operands allowed). */
export function matMul(g: Graph, a: Value, b: Value): Value {
  const dtype = requireSameDtype('MatMul', [a, b]);
  requireFloat('MatMul', a);
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new GraphBuildError(
      'MatMul',
      `operands must have rank >= 1, got ${describeValue(a)} and ${describeValue(b)}.`,
    );
  }
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const k1 = as[as.length - 1]!;
  const k2 = bs[bs.length - 2]!;
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new GraphBuildError(
      'MatMul',
      `inner dims differ (${k1} vs ${k2}) for ${describeValue(a)} x ${describeValue(b)}.`,
    );
  }
  const batch = broadcastShapes(as.slice(0, -2), bs.slice(0, -2));
  if (!batch) {
    throw new GraphBuildError('MatMul', `batch dims do not broadcast for ${describeValue(a)} x ${describeValue(b)}.`);
  }
  const shape: Dim[] = [...batch];
  if (a.shape.length > 1) shape.push(as[as.length - 2]!);
  if (b.shape.length > 1) shape.push(bs[bs.length - 1]!);
  return g.addNode('MatMul', [a, b], [{ dtype, shape }])[0]!;
}

export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly beta?: number;
}

/** Gemm: alpha * op(A) op(B) + beta * C with A, B rank 2 and C broadcast to [M, N]. */
export function gemm(g: Graph, a: Value, b: Value, c: Value | null, options: GemmOptions = {}): Value {
  const dtype = requireSameDtype('Gemm', c ? [a, b, c] : [a, b]);
  requireFloat('Gemm', a);
  requireRank('Gemm', a, 2);
  requireRank('Gemm', b, 2);
  const [m, ka] = options.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = options.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    throw new GraphBuildError(
      'Gemm',
      `inner dims differ (${ka} vs ${kb}) for ${describeValue(a)} x ${describeValue(b)}.`,
    );
  }
  if (c && !broadcastShapes(c.shape, [m, n])) {
    throw new GraphBuildError('Gemm', `C ${describeValue(c)} does not broadcast to [${m}, ${n}].`);
  }
  const attrs = {
    ...(options.transA ? { transA: attr.int(1) } : {}),
    ...(options.transB ? { transB: attr.int(1) } : {}),
    ...(options.alpha !== undefined && options.alpha !== 1 ? { alpha: attr.float(options.alpha) } : {}),
    ...(options.beta !== undefined && options.beta !== 1 ? { beta: attr.float(options.beta) } : {}),
  };
  return g.addNode('Gemm', c ? [a, b, c] : [a, b], [{ dtype, shape: [m, n] }], attrs)[0]!;
}
