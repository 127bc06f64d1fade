import { type Graph, type Value, op } from '../../../onnx';
import { gelu, logSoftmax, softmax, softmaxCrossEntropy } from '../../composites';
import type { CheckCase } from '../gradcheck';
import { ints } from './util';

/** Matrix products, normalisations and the composite functions. */
export const nnCases: readonly CheckCase[] = [
  {
    rule: 'MatMul',
    name: 'MatMul [2,3,4] x [4,5] (flattened weight gradient)',
    inputs: { a: { dims: [2, 3, 4] }, b: { dims: [4, 5] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul [B,3,4] x [4,5] (symbolic batch)',
    inputs: { a: { dims: [2, 3, 4], shape: ['B', 3, 4] }, b: { dims: [4, 5] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul batched [2,3,4] x [2,4,5]',
    inputs: { a: { dims: [2, 3, 4] }, b: { dims: [2, 4, 5] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul broadcast batch [3,4] x [2,4,5]',
    inputs: { a: { dims: [3, 4] }, b: { dims: [2, 4, 5] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul broadcast batch [2,1,3,4] x [3,4,2]',
    inputs: { a: { dims: [2, 1, 3, 4] }, b: { dims: [3, 4, 2] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul 1-D [4] x [4,5]',
    inputs: { a: { dims: [4] }, b: { dims: [4, 5] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul [2,3,4] x 1-D [4]',
    inputs: { a: { dims: [2, 3, 4] }, b: { dims: [4] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'MatMul',
    name: 'MatMul 1-D dot [4] x [4]',
    inputs: { a: { dims: [4] }, b: { dims: [4] } },
    build: (g, x) => op.matMul(g, x.a!, x.b!),
  },
  {
    rule: 'Gemm',
    name: 'Gemm A [3,4] B [4,5] C [5]',
    inputs: { a: { dims: [3, 4] }, b: { dims: [4, 5] }, c: { dims: [5] } },
    build: (g, x) => op.gemm(g, x.a!, x.b!, x.c!),
  },
  {
    rule: 'Gemm',
    name: 'Gemm transB alpha 0.5 beta 2 C [3,1]',
    inputs: { a: { dims: [3, 4] }, b: { dims: [5, 4] }, c: { dims: [3, 1] } },
    build: (g, x) => op.gemm(g, x.a!, x.b!, x.c!, { transB: true, alpha: 0.5, beta: 2 }),
  },
  {
    rule: 'Gemm',
    name: 'Gemm with scalar C [] and beta 0.5',
    inputs: { a: { dims: [3, 4] }, b: { dims: [4, 2] }, c: { dims: [] } },
    build: (g, x) => op.gemm(g, x.a!, x.b!, x.c!, { beta: 0.5 }),
  },
  {
    rule: 'Gemm',
    name: 'Gemm transA',
    inputs: { a: { dims: [4, 3] }, b: { dims: [4, 5] } },
    build: (g, x) => op.gemm(g, x.a!, x.b!, null, { transA: true, alpha: 1.5 }),
  },
  {
    rule: 'Gemm',
    name: 'Gemm transA transB C [3,5]',
    inputs: { a: { dims: [4, 3] }, b: { dims: [5, 4] }, c: { dims: [3, 5] } },
    build: (g, x) => op.gemm(g, x.a!, x.b!, x.c!, { transA: true, transB: true }),
  },
  {
    rule: 'Softmax',
    name: 'Softmax [2,3,4] axis -1',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.softmax(g, x.a!, -1),
  },
  {
    rule: 'Softmax',
    name: 'Softmax [2,3,4] axis 1',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.softmax(g, x.a!, 1),
  },
  {
    rule: 'LayerNormalization',
    name: 'LayerNormalization [2,3,6] x, scale, bias',
    inputs: { a: { dims: [2, 3, 6] }, s: { dims: [6] }, b: { dims: [6] } },
    build: (g, x) => op.layerNorm(g, x.a!, x.s!, x.b!, 1e-5),
  },
  {
    rule: 'LayerNormalization',
    name: 'LayerNormalization [B,6], x only',
    inputs: { a: { dims: [3, 6], shape: ['B', 6] }, s: { dims: [6], wrt: false }, b: { dims: [6], wrt: false } },
    build: (g, x) => op.layerNorm(g, x.a!, x.s!, x.b!, 1e-12),
  },
  {
    rule: 'gelu',
    name: 'GELU (erf form, float32)',
    dtype: 'float32',
    inputs: { a: { dims: [3, 4] } },
    build: (g, x) => gelu(g, x.a!),
  },
  {
    rule: 'softmax',
    name: 'softmax composite [2,3,4] axis -1, no scaling',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => softmax(g, x.a!, -1),
  },
  {
    rule: 'softmax',
    name: 'softmax composite [2,3,4] axis -1 then dropout Where(keep, p * 1.25, 0)',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => {
      const keep = g.constant(
        { dtype: 'bool', dims: [2, 3, 4], data: Uint8Array.from({ length: 24 }, (_, i) => (i % 5 === 2 ? 0 : 1)) },
        'keep',
      );
      return softmax(g, x.a!, -1, (gg, p) => op.where(gg, keep, op.mulScalar(gg, p, 1.25), gg.scalar(0, p.dtype)));
    },
  },
  {
    rule: 'softmax',
    name: 'softmax composite [2,3,4] axis 1 then a float mask [2,3,4] * p',
    inputs: {
      a: { dims: [2, 3, 4] },
      m: { dims: [2, 3, 4], wrt: false, init: (r) => (r.uniform(0, 1) < 0.2 ? 0 : 2) },
    },
    build: (g, x) => softmax(g, x.a!, 1, (gg, p) => op.mul(gg, p, x.m!)),
  },
  {
    rule: 'logSoftmax',
    name: 'log-softmax [2,5]',
    inputs: { a: { dims: [2, 5] } },
    build: (g, x) => logSoftmax(g, x.a!),
  },
  {
    rule: 'softmaxCrossEntropy',
    name: 'cross-entropy [2,3,4] int64 labels with -100',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => softmaxCrossEntropy(g, x.a!, ints(g, 'int64', [2, 3], [0, 3, -100, 1, -100, 2])),
  },
  {
    rule: 'softmaxCrossEntropy',
    name: 'cross-entropy [4,3] int32 labels, class weights',
    inputs: { a: { dims: [4, 3] }, w: { dims: [3], wrt: false, init: (r) => r.uniform(0.5, 2) } },
    build: (g, x) => softmaxCrossEntropy(g, x.a!, ints(g, 'int32', [4], [2, 0, -100, 2]), { classWeights: x.w! }),
  },
  {
    rule: 'mlp',
    name: 'MLP tanh(x W1 + b1) W2 (all parameters)',
    inputs: { x: { dims: [3, 4] }, w1: { dims: [4, 5] }, b1: { dims: [5] }, w2: { dims: [5, 2] } },
    build: (g, x) => op.matMul(g, op.tanh(g, op.add(g, op.matMul(g, x.x!, x.w1!), x.b1!)), x.w2!),
  },
  {
    rule: 'attention',
    name: 'attention block: 2 heads, padding mask, residual + LayerNorm [B,T,4]',
    inputs: {
      x: { dims: [2, 3, 4], shape: ['B', 'T', 4] },
      wq: { dims: [4, 4] },
      wk: { dims: [4, 4] },
      wv: { dims: [4, 4] },
      s: { dims: [4] },
      b: { dims: [4] },
    },
    build: (g, x) => attentionBlock(g, x),
  },
];

/** LN(x + softmax(q k^T / sqrt(d) + mask) v) with 2 heads of size 2; the second sequence has one pad. */
function attentionBlock(g: Graph, x: Readonly<Record<string, Value>>): Value {
  const heads = (w: Value, perm: number[]): Value =>
    op.transpose(g, op.reshape(g, op.matMul(g, x.x!, w), [0, 0, 2, 2]), perm);
  const q = heads(x.wq!, [0, 2, 1, 3]); // [B, 2, T, 2]
  const kT = heads(x.wk!, [0, 2, 3, 1]); // [B, 2, 2, T]
  const v = heads(x.wv!, [0, 2, 1, 3]); // [B, 2, T, 2]
  const pad = g.constant(
    { dtype: 'float64', dims: [2, 1, 1, 3], data: Float64Array.from([0, 0, 0, 0, 0, -1e4]) },
    'pad',
  ); // [B, 1, 1, T]
  const scores = op.add(g, op.mulScalar(g, op.matMul(g, q, kT), Math.SQRT1_2), pad); // [B, 2, T, T]
  const ctx = op.matMul(g, op.softmax(g, scores, -1), v); // [B, 2, T, 2]
  const merged = op.reshape(g, op.transpose(g, ctx, [0, 2, 1, 3]), [0, 0, 4]); // [B, T, 4]
  return op.layerNorm(g, op.add(g, x.x!, merged), x.s!, x.b!, 1e-5);
}
