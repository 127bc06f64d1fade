import { op } from '../../../onnx';
import type { CheckCase } from '../gradcheck';
import { awayFromZero, between, tiesLikely } from './util';

const positive = between(0.5, 2);

/** Elementwise and broadcasting rules. */
export const elementwiseCases: readonly CheckCase[] = [
  {
    rule: 'Add',
    name: 'Add [2,3,4] + [4]',
    inputs: { a: { dims: [2, 3, 4] }, b: { dims: [4] } },
    build: (g, x) => op.add(g, x.a!, x.b!),
  },
  {
    rule: 'Add',
    name: 'Add [2,1,4] + [3,1] (both broadcast)',
    inputs: { a: { dims: [2, 1, 4] }, b: { dims: [3, 1] } },
    build: (g, x) => op.add(g, x.a!, x.b!),
  },
  {
    rule: 'Add',
    name: 'Add [B,3] + [1,3] (symbolic)',
    inputs: { a: { dims: [2, 3], shape: ['B', 3] }, b: { dims: [1, 3] } },
    build: (g, x) => op.add(g, x.a!, x.b!),
  },
  {
    rule: 'Sub',
    name: 'Sub [2,3] - [2,1]',
    inputs: { a: { dims: [2, 3] }, b: { dims: [2, 1] } },
    build: (g, x) => op.sub(g, x.a!, x.b!),
  },
  {
    rule: 'Mul',
    name: 'Mul [2,3,4] * [3,1]',
    inputs: { a: { dims: [2, 3, 4] }, b: { dims: [3, 1] } },
    build: (g, x) => op.mul(g, x.a!, x.b!),
  },
  {
    rule: 'Mul',
    name: 'Mul x * x (two uses)',
    inputs: { a: { dims: [2, 3] } },
    build: (g, x) => op.mul(g, x.a!, x.a!),
  },
  {
    rule: 'Mul',
    name: 'Mul a * b, only a wrt',
    inputs: { a: { dims: [2, 3] }, b: { dims: [3], wrt: false } },
    build: (g, x) => op.mul(g, x.a!, x.b!),
  },
  {
    rule: 'Div',
    name: 'Div [2,3] / [3]',
    inputs: { a: { dims: [2, 3] }, b: { dims: [3], init: awayFromZero(0.5, 2) } },
    build: (g, x) => op.div(g, x.a!, x.b!),
  },
  {
    rule: 'Pow',
    name: 'Pow [2,3] ^ [3]',
    inputs: { a: { dims: [2, 3], init: positive }, b: { dims: [3] } },
    build: (g, x) => op.pow(g, x.a!, x.b!),
  },
  {
    rule: 'Pow',
    name: 'Pow x^3, x^2, x^0.5 (constant exponents)',
    inputs: { a: { dims: [2, 3], init: positive } },
    build: (g, x) =>
      op.add(g, op.add(g, op.powScalar(g, x.a!, 3), op.powScalar(g, x.a!, 2)), op.powScalar(g, x.a!, 0.5)),
  },
  {
    rule: 'Max',
    name: 'Max [2,3] vs [3]',
    inputs: { a: { dims: [2, 3] }, b: { dims: [3] } },
    build: (g, x) => op.max(g, x.a!, x.b!),
  },
  {
    rule: 'Min',
    name: 'Min [2,3] vs [2,1]',
    inputs: { a: { dims: [2, 3] }, b: { dims: [2, 1] } },
    build: (g, x) => op.min(g, x.a!, x.b!),
  },
  {
    rule: 'Max',
    name: 'Max [3,4] vs [4] with exact ties (dy split evenly)',
    inputs: { a: { dims: [3, 4], init: tiesLikely }, b: { dims: [4], init: tiesLikely } },
    build: (g, x) => op.max(g, x.a!, x.b!),
  },
  {
    rule: 'Abs',
    name: 'Abs at exact zeros (gradient 0, as the central difference)',
    inputs: { a: { dims: [3, 4], init: tiesLikely } },
    build: (g, x) => op.abs(g, x.a!),
  },
  { rule: 'Sqrt', name: 'Sqrt', inputs: { a: { dims: [2, 3], init: positive } }, build: (g, x) => op.sqrt(g, x.a!) },
  { rule: 'Exp', name: 'Exp', inputs: { a: { dims: [2, 3] } }, build: (g, x) => op.exp(g, x.a!) },
  { rule: 'Log', name: 'Log', inputs: { a: { dims: [2, 3], init: positive } }, build: (g, x) => op.log(g, x.a!) },
  {
    rule: 'Erf',
    name: 'Erf (float32: ORT has no float64 Erf)',
    dtype: 'float32',
    inputs: { a: { dims: [2, 3] } },
    build: (g, x) => op.erf(g, x.a!),
  },
  { rule: 'Tanh', name: 'Tanh', inputs: { a: { dims: [2, 3] } }, build: (g, x) => op.tanh(g, x.a!) },
  { rule: 'Neg', name: 'Neg', inputs: { a: { dims: [2, 3] } }, build: (g, x) => op.neg(g, x.a!) },
  { rule: 'Abs', name: 'Abs', inputs: { a: { dims: [2, 3], init: awayFromZero() } }, build: (g, x) => op.abs(g, x.a!) },
  { rule: 'Sigmoid', name: 'Sigmoid', inputs: { a: { dims: [2, 3] } }, build: (g, x) => op.sigmoid(g, x.a!) },
  {
    rule: 'Relu',
    name: 'Relu',
    inputs: { a: { dims: [3, 4], init: awayFromZero() } },
    build: (g, x) => op.relu(g, x.a!),
  },
  {
    rule: 'Reciprocal',
    name: 'Reciprocal',
    inputs: { a: { dims: [2, 3], init: awayFromZero(0.5, 2) } },
    build: (g, x) => op.reciprocal(g, x.a!),
  },
  {
    rule: 'Where',
    name: 'Where(cond [2,3,1], a [3,4], b []) broadcast beyond both values',
    inputs: { a: { dims: [3, 4] }, b: { dims: [] }, c: { dims: [2, 3, 1], wrt: false } },
    build: (g, x) => op.where(g, op.greater(g, x.c!, g.scalar(0, 'float64')), x.a!, x.b!),
  },
  {
    rule: 'Where',
    name: 'Where(cond [2,3], a [2,3], b [3])',
    inputs: { a: { dims: [2, 3] }, b: { dims: [3] }, c: { dims: [2, 3], wrt: false } },
    build: (g, x) => op.where(g, op.greater(g, x.c!, g.scalar(0, 'float64')), x.a!, x.b!),
  },
  {
    rule: 'Cast',
    name: 'Cast float32 -> float64 -> float32',
    dtype: 'float32',
    inputs: { a: { dims: [2, 3] } },
    build: (g, x) => {
      const wide = op.cast(g, x.a!, 'float64');
      return op.cast(g, op.mul(g, wide, op.tanh(g, wide)), 'float32');
    },
  },
  { rule: 'Identity', name: 'Identity', inputs: { a: { dims: [2, 3] } }, build: (g, x) => op.identity(g, x.a!) },
];
