import type { DType } from '../dtype';
import { describeValue, GraphBuildError } from '../errors';
import type { Graph, Value } from '../graph';
import { attr } from '../graph';
import { ONNX_DTYPE_CODE } from '../dtype';
import { broadcastShapes } from '../shape';
import { requireDtype, requireFloat, requireSameDtype } from './check';

export type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min';
export type CompareOp = 'Equal' | 'Less' | 'Greater' | 'LessOrEqual';
export type UnaryOp = 'Sqrt' | 'Exp' | 'Log' | 'Erf' | 'Tanh' | 'Neg' | 'Abs' | 'Sigmoid' | 'Relu' | 'Reciprocal';

/** A broadcasting binary op; dtypes must match (Pow's exponent may differ). */
export function binary(g: Graph, opType: BinaryOp, a: Value, b: Value): Value {
  const dtype = opType === 'Pow' ? a.dtype : requireSameDtype(opType, [a, b]);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) {
    throw new GraphBuildError(opType, `cannot broadcast ${describeValue(a)} with ${describeValue(b)}.`);
  }
  return g.addNode(opType, [a, b], [{ dtype, shape }])[0]!;
}

export const add = (g: Graph, a: Value, b: Value): Value => binary(g, 'Add', a, b);
export const sub = (g: Graph, a: Value, b: Value): Value => binary(g, 'Sub', a, b);
export const mul = (g: Graph, a: Value, b: Value): Value => binary(g, 'Mul', a, b);
export const div = (g: Graph, a: Value, b: Value): Value => binary(g, 'Div', a, b);
export const pow = (g: Graph, a: Value, b: Value): Value => binary(g, 'Pow', a, b);
export const max = (g: Graph, a: Value, b: Value): Value => binary(g, 'Max', a, b);
export const min = (g: Graph, a: Value, b: Value): Value => binary(g, 'Min', a, b);

/** x + c, x * c, ... with a scalar constant of x's dtype. */
export const addScalar = (g: Graph, x: Value, c: number): Value => add(g, x, g.scalar(c, x.dtype));
export const mulScalar = (g: Graph, x: Value, c: number): Value => mul(g, x, g.scalar(c, x.dtype));
export const powScalar = (g: Graph, x: Value, c: number): Value => pow(g, x, g.scalar(c, x.dtype));

/** A broadcasting comparison producing bool. */
export function compare(g: Graph, opType: CompareOp, a: Value, b: Value): Value {
  requireSameDtype(opType, [a, b]);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw new GraphBuildError(opType, `cannot broadcast ${describeValue(a)} with ${describeValue(b)}.`);
  return g.addNode(opType, [a, b], [{ dtype: 'bool', shape }])[0]!;
}

export const equal = (g: Graph, a: Value, b: Value): Value => compare(g, 'Equal', a, b);
export const less = (g: Graph, a: Value, b: Value): Value => compare(g, 'Less', a, b);
export const greater = (g: Graph, a: Value, b: Value): Value => compare(g, 'Greater', a, b);
export const lessOrEqual = (g: Graph, a: Value, b: Value): Value => compare(g, 'LessOrEqual', a, b);

/** Elementwise unary float op. */
export function unary(g: Graph, opType: UnaryOp, x: Value): Value {
  if (opType !== 'Neg' && opType !== 'Abs' && opType !== 'Relu') requireFloat(opType, x);
  return g.addNode(opType, [x], [{ dtype: x.dtype, shape: x.shape }])[0]!;
}

export const sqrt = (g: Graph, x: Value): Value => unary(g, 'Sqrt', x);
export const exp = (g: Graph, x: Value): Value => unary(g, 'Exp', x);
export const log = (g: Graph, x: Value): Value => unary(g, 'Log', x);
export const erf = (g: Graph, x: Value): Value => unary(g, 'Erf', x);
export const tanh = (g: Graph, x: Value): Value => unary(g, 'Tanh', x);
export const neg = (g: Graph, x: Value): Value => unary(g, 'Neg', x);
export const abs = (g: Graph, x: Value): Value => unary(g, 'Abs', x);
export const sigmoid = (g: Graph, x: Value): Value => unary(g, 'Sigmoid', x);
export const relu = (g: Graph, x: Value): Value => unary(g, 'Relu', x);
export const reciprocal = (g: Graph, x: Value): Value => unary(g, 'Reciprocal', x);

/** Logical not of a bool tensor. */
export function not(g: Graph, x: Value): Value {
  requireDtype('Not', x, ['bool']);
  return g.addNode('Not', [x], [{ dtype: 'bool', shape: x.shape }])[0]!;
}

/** where(cond, x, y) with broadcasting. */
export function where(g: Graph, cond: Value, x: Value, y: Value): Value {
  requireDtype('Where', cond, ['bool']);
  const dtype = requireSameDtype('Where', [x, y]);
  const xy = broadcastShapes(x.shape, y.shape);
  const shape = xy && broadcastShapes(cond.shape, xy);
  if (!shape) {
    throw new GraphBuildError(
      'Where',
      `cannot broadcast ${describeValue(cond)}, ${describeValue(x)} and ${describeValue(y)}.`,
    );
  }
  return g.addNode('Where', [cond, x, y], [{ dtype, shape }])[0]!;
}

/** Casts to another dtype (a no-op value is returned when the dtype already matches). */
export function cast(g: Graph, x: Value, to: DType): Value {
  if (x.dtype === to) return x;
  return g.addNode('Cast', [x], [{ dtype: to, shape: x.shape }], { to: attr.int(ONNX_DTYPE_CODE[to]) })[0]!;
}

/** Identity (used to rename or to pin a value). */
export function identity(g: Graph, x: Value): Value {
  return g.addNode('Identity', [x], [{ dtype: x.dtype, shape: x.shape }])[0]!;
}
