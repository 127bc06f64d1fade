import type { Graph, Value } from '../graph';
import { attr } from '../graph';
import type { Dim } from '../shape';
import { normaliseAxes, requireFloat } from './check';

export type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin';

function reducedShape(x: Value, axes: readonly number[], keepDims: boolean): Dim[] {
  const out: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/**
 * Reduces over axes. Opset 17: ReduceSum takes axes as an input, ReduceMean/ReduceMax/ReduceMin as an attribute.
 */
export function reduce(g: Graph, opType: ReduceOp, x: Value, axes: readonly number[], keepDims = true): Value {
  requireFloat(opType, x);
  const norm = normaliseAxes(opType, x, axes);
  const shape = reducedShape(x, norm, keepDims);
  const keep = { keepdims: attr.int(keepDims ? 1 : 0) };
  if (opType === 'ReduceSum') {
    return g.addNode(opType, [x, g.int64s(norm)], [{ dtype: x.dtype, shape }], keep)[0]!;
  }
  return g.addNode(opType, [x], [{ dtype: x.dtype, shape }], { ...keep, axes: attr.ints(norm) })[0]!;
}

export const reduceSum = (g: Graph, x: Value, axes: readonly number[], keepDims = true): Value =>
  reduce(g, 'ReduceSum', x, axes, keepDims);
export const reduceMean = (g: Graph, x: Value, axes: readonly number[], keepDims = true): Value =>
  reduce(g, 'ReduceMean', x, axes, keepDims);
export const reduceMax = (g: Graph, x: Value, axes: readonly number[], keepDims = true): Value =>
  reduce(g, 'ReduceMax', x, axes, keepDims);
export const reduceMin = (g: Graph, x: Value, axes: readonly number[], keepDims = true): Value =>
  reduce(g, 'ReduceMin', x, axes, keepDims);
