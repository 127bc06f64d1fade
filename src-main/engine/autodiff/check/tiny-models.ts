import * as ort from 'onnxruntime-node';
import { Graph, type Value, op, serializeModel } from '../../onnx';
import { gelu, softmaxCrossEntropy } from '../composites';
import { grad } from '../grad';
import { Rng } from './random';

/** A trainable parameter of a tiny test model and how to initialise it. */
export interface TinyParam {
  readonly name: string;
  readonly dims: readonly number[];
  readonly init: (rng: Rng) => number;
}

/** A tiny model: its graph builder, parameters and one fixed batch. */
export interface TinyModel {
  readonly params: readonly TinyParam[];
  readonly batch: Readonly<Record<string, ort.Tensor>>;
  /** Builds the forward pass on g and returns the scalar loss. */
  readonly forward: (g: Graph, p: Readonly<Record<string, Value>>) => Value;
}

const normal = (std: number) => (rng: Rng) => std * rng.normal();
const constant = (c: number) => () => c;

/** 2-layer MLP classifier: x [8, 4] -> tanh(x W1 + b1) [8, 16] -> W2 + b2 [8, 3] -> cross-entropy. */
export function tinyMlp(seed: number): TinyModel {
  const rng = new Rng(seed);
  const x = Float32Array.from(rng.array(8 * 4, (r) => r.normal()));
  const labels = BigInt64Array.from(
    rng.array(8, (r) => r.int(3)),
    BigInt,
  );
  return {
    params: [
      { name: 'w1', dims: [4, 16], init: normal(0.5) },
      { name: 'b1', dims: [16], init: constant(0) },
      { name: 'w2', dims: [16, 3], init: normal(0.25) },
      { name: 'b2', dims: [3], init: constant(0) },
    ],
    batch: { x: new ort.Tensor('float32', x, [8, 4]), labels: new ort.Tensor('int64', labels, [8]) },
    forward: (g, p) => {
      const xv = g.input('x', 'float32', ['B', 4]);
      const lv = g.input('labels', 'int64', ['B']);
      const h = op.tanh(g, op.add(g, op.matMul(g, xv, p.w1!), p.b1!)); // [B, 16]
      return softmaxCrossEntropy(g, op.add(g, op.matMul(g, h, p.w2!), p.b2!), lv); // logits [B, 3]
    },
  };
}

/** Sizes of the transformer block; the defaults train in about a second. */
export interface BlockDims {
  readonly hidden: number;
  readonly heads: number;
  readonly ffn: number;
  readonly vocab: number;
  readonly classes: number;
  readonly batch: number;
  readonly seq: number;
}

export const TINY_BLOCK: BlockDims = { hidden: 8, heads: 2, ffn: 16, vocab: 12, classes: 3, batch: 2, seq: 5 };

/**
 * A 1-layer post-LN transformer block (BERT style) with a token classifier: embeddings + positions,
 * multi-head self-attention with a padding mask (the last sequence ends in 2 pads), GELU FFN, three
 * LayerNorms, cross-entropy with -100 labels.
 */
export function tinyTransformer(seed: number, dims: BlockDims = TINY_BLOCK): TinyModel {
  const { hidden: H, heads: HEADS, ffn: FFN, vocab: VOCAB, classes: CLASSES, batch: B, seq: T } = dims;
  const rng = new Rng(seed);
  const ids = BigInt64Array.from(
    rng.array(B * T, (r) => r.int(VOCAB)),
    BigInt,
  );
  const mask = Float32Array.from({ length: B * T }, (_, i) => (i >= B * T - 2 ? 0 : 1)); // [B, T]
  const labels = BigInt64Array.from(
    rng.array(B * T, (r) => r.int(CLASSES)).map((l, i) => (mask[i] === 0 || i === 2 ? -100 : l)),
    BigInt,
  );
  const linear = (name: string, i: number, o: number): TinyParam[] => [
    { name: `${name}.weight`, dims: [i, o], init: normal(1 / Math.sqrt(i)) },
    { name: `${name}.bias`, dims: [o], init: constant(0) },
  ];
  const norm = (name: string): TinyParam[] => [
    { name: `${name}.weight`, dims: [H], init: constant(1) },
    { name: `${name}.bias`, dims: [H], init: constant(0) },
  ];
  return {
    params: [
      { name: 'emb', dims: [VOCAB, H], init: normal(1) },
      { name: 'pos', dims: [T, H], init: normal(0.5) },
      ...norm('ln0'),
      ...linear('q', H, H),
      ...linear('k', H, H),
      ...linear('v', H, H),
      ...linear('o', H, H),
      ...norm('ln1'),
      ...linear('ffn1', H, FFN),
      ...linear('ffn2', FFN, H),
      ...norm('ln2'),
      ...linear('cls', H, CLASSES),
    ],
    batch: {
      ids: new ort.Tensor('int64', ids, [B, T]),
      positions: new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
        [T],
      ),
      mask: new ort.Tensor('float32', mask, [B, T]),
      labels: new ort.Tensor('int64', labels, [B, T]),
    },
    forward: (g, p) => {
      const idv = g.input('ids', 'int64', ['B', 'T']);
      const posv = g.input('positions', 'int64', ['T']);
      const maskv = g.input('mask', 'float32', ['B', 'T']);
      const lv = g.input('labels', 'int64', ['B', 'T']);
      const dense = (x: Value, name: string): Value =>
        op.add(g, op.matMul(g, x, p[`${name}.weight`]!), p[`${name}.bias`]!);
      const ln = (x: Value, name: string): Value => op.layerNorm(g, x, p[`${name}.weight`]!, p[`${name}.bias`]!, 1e-12);
      const x0 = ln(op.add(g, op.gather(g, p.emb!, idv), op.gather(g, p.pos!, posv)), 'ln0'); // [B, T, H]
      const heads = (x: Value, perm: number[]): Value =>
        op.transpose(g, op.reshape(g, x, [0, 0, HEADS, H / HEADS]), perm);
      const q = heads(dense(x0, 'q'), [0, 2, 1, 3]); // [B, 2, T, 4]
      const kT = heads(dense(x0, 'k'), [0, 2, 3, 1]); // [B, 2, 4, T]
      const v = heads(dense(x0, 'v'), [0, 2, 1, 3]); // [B, 2, T, 4]
      const bias = op.unsqueeze(g, op.mulScalar(g, op.sub(g, g.scalar(1, 'float32'), maskv), -1e4), [1, 2]); // [B, 1, 1, T]
      const scores = op.add(g, op.mulScalar(g, op.matMul(g, q, kT), 1 / Math.sqrt(H / HEADS)), bias); // [B, 2, T, T]
      const ctx = op.matMul(g, op.softmax(g, scores, -1), v); // [B, 2, T, 4]
      const merged = op.reshape(g, op.transpose(g, ctx, [0, 2, 1, 3]), [0, 0, H]); // [B, T, H]
      const x1 = ln(op.add(g, x0, dense(merged, 'o')), 'ln1');
      const x2 = ln(op.add(g, x1, dense(gelu(g, dense(x1, 'ffn1')), 'ffn2')), 'ln2'); // [B, T, H]
      return softmaxCrossEntropy(g, dense(x2, 'cls'), lv); // logits [B, T, 3]
    },
  };
}

/** The SGD step graph: loss, gradients and `${p}.new = p - lr * grad` for every parameter. */
export function sgdGraph(model: TinyModel): Graph {
  const g = new Graph('sgd');
  const p = Object.fromEntries(model.params.map((q) => [q.name, g.input(q.name, 'float32', q.dims)]));
  const loss = model.forward(g, p);
  g.output(loss, 'loss');
  const lrv = g.input('lr', 'float32', []);
  const grads = grad(
    g,
    loss,
    model.params.map((q) => q.name),
  );
  for (const q of model.params) g.output(op.sub(g, p[q.name]!, op.mul(g, grads.get(q.name)!, lrv)), `${q.name}.new`);
  return g;
}

/** The forward-only graph (loss output), the reference a training step is compared with. */
export function forwardGraph(model: TinyModel): Graph {
  const g = new Graph('forward');
  const p = Object.fromEntries(model.params.map((q) => [q.name, g.input(q.name, 'float32', q.dims)]));
  g.output(model.forward(g, p), 'loss');
  return g;
}

/** Initial parameter tensors drawn from the seed. */
export function initialParams(model: TinyModel, seed: number): Record<string, ort.Tensor> {
  const rng = new Rng(seed);
  return Object.fromEntries(
    model.params.map((q) => [
      q.name,
      new ort.Tensor(
        'float32',
        Float32Array.from(
          rng.array(
            q.dims.reduce((a, b) => a * b, 1),
            q.init,
          ),
        ),
        [...q.dims],
      ),
    ]),
  );
}

/**
 * Trains with plain SGD computed in the graph (p.new = p - lr * grad) for `steps` steps on the model's
 * fixed batch, feeding the new parameters back; returns the loss at every step.
 */
export async function trainSgd(model: TinyModel, seed: number, steps: number, lr: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(serializeModel(sgdGraph(model)));
  let params = initialParams(model, seed);
  const losses: number[] = [];
  const lrTensor = new ort.Tensor('float32', Float32Array.from([lr]), []);
  for (let s = 0; s < steps; s++) {
    const out = await session.run({ ...model.batch, ...params, lr: lrTensor });
    losses.push(Number(out['loss']!.data[0]));
    params = Object.fromEntries(model.params.map((q) => [q.name, out[`${q.name}.new`]!]));
  }
  await session.release();
  return losses;
}
