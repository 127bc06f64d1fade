import { type Graph, type Shape, type Value, knownSize, op } from '../onnx';

/** A 1-D int64 shape tensor for `like`: a constant when its shape is static, else Shape(like) at run time. */
export function shapeTensorOf(g: Graph, like: Value): Value {
  return knownSize(like.shape) !== undefined ? g.int64s(like.shape as readonly number[]) : op.shapeOf(g, like);
}

/** Broadcasts x (which must broadcast to like) to like's shape. */
export function expandTo(g: Graph, x: Value, like: Value): Value {
  return op.expand(g, x, shapeTensorOf(g, like), like.shape);
}

/** Zeros of like's shape and dtype, by expanding a constant (never ConstantOfShape, which WebGPU lacks). */
export function zerosLike(g: Graph, like: Value): Value {
  return expandTo(g, g.scalar(0, like.dtype), like);
}

/** Normalises possibly negative axes against a rank. */
export function positiveAxes(axes: readonly number[], rank: number): number[] {
  return axes.map((a) => (a < 0 ? a + rank : a));
}

/** 0..n-1 */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The inverse of a permutation. */
export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** True when every dim is statically known. */
export function isStatic(shape: Shape): shape is readonly number[] {
  return knownSize(shape) !== undefined;
}
