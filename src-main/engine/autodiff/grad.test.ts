import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph, type Node, type Value, op, serializeModel } from '../onnx';
import { AutodiffError, grad, softmaxCrossEntropy, stopGradient } from './index';
import { ints } from './check/cases/util';

const SESSION: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'disabled' };

/** x [B,4] -> tanh(x W1 + b1) W2 -> sum: W1/b1 may be frozen by leaving them out of wrt. */
function mlp(): { g: Graph; loss: Value; w1: Value; b1: Value; w2: Value; x: Value } {
  const g = new Graph('mlp');
  const x = g.input('x', 'float64', ['B', 4]);
  const w1 = g.input('w1', 'float64', [4, 3]);
  const b1 = g.input('b1', 'float64', [3]);
  const w2 = g.input('w2', 'float64', [3, 2]);
  const h = op.tanh(g, op.add(g, op.matMul(g, x, w1), b1)); // [B, 3]
  const loss = op.reduceSum(g, op.matMul(g, h, w2), [0, 1], false);
  return { g, loss, w1, b1, w2, x };
}

/** Every node appended by grad() must feed a returned gradient: nothing dead. */
function deadBackwardNodes(g: Graph, before: number, grads: ReadonlyMap<string, Value>): Node[] {
  const added = g.nodes.slice(before);
  const live = new Set([...grads.values()].map((v) => v.name));
  for (let i = added.length - 1; i >= 0; i--) {
    const n = added[i]!;
    if (n.outputs.some((o) => live.has(o.name))) for (const v of n.inputs) if (v) live.add(v.name);
  }
  return added.filter((n) => !n.outputs.some((o) => live.has(o.name)));
}

describe('grad()', () => {
  it('builds gradients only for wrt values, with no dead backward nodes', () => {
    const { g, loss, w2 } = mlp();
    const before = g.nodes.length;
    const grads = grad(g, loss, [w2]);
    expect([...grads.keys()]).toEqual(['w2']);
    expect(grads.get('w2')!.name).toBe('grad/w2');
    expect(grads.get('w2')!.shape).toEqual([3, 2]);
    expect(deadBackwardNodes(g, before, grads)).toEqual([]);
    // Frozen w1/b1 and the input x: no backward through tanh at all.
    expect(g.nodes.slice(before).some((n) => n.name.startsWith('grad/Tanh') || n.name.startsWith('grad/Add'))).toBe(
      false,
    );
  });

  it('has no dead nodes when every parameter is trained', () => {
    const { g, loss, w1, b1, w2 } = mlp();
    const before = g.nodes.length;
    const grads = grad(g, loss, [w1, b1, w2]);
    expect(deadBackwardNodes(g, before, grads)).toEqual([]);
    expect([...grads.values()].map((v) => [v.name, v.shape])).toEqual([
      ['grad/w1', [4, 3]],
      ['grad/b1', [3]],
      ['grad/w2', [3, 2]],
    ]);
  });

  it('builds nothing for integer indices and labels', () => {
    const g = new Graph();
    const table = g.input('table', 'float32', [5, 3]);
    const ids = g.input('ids', 'int64', ['B', 'T']);
    const labels = g.input('labels', 'int32', ['B', 'T']);
    const logits = op.gather(g, table, ids); // [B, T, 3]
    const grads = grad(g, softmaxCrossEntropy(g, logits, labels), ['table']);
    expect(grads.get('table')!.shape).toEqual([5, 3]);
    expect(g.nodes.filter((n) => n.opType === 'ScatterND')).toHaveLength(1);
  });

  it('treats stopGradient values as constants', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [3]);
    const loss = op.reduceSum(g, op.mul(g, stopGradient(g, x), x), [0], false); // d/dx = x, not 2x
    const gx = grad(g, loss, [x]).get('x')!;
    g.output(gx);
    const s = await ort.InferenceSession.create(serializeModel(g), SESSION);
    const out = await s.run({ x: new ort.Tensor('float64', Float64Array.from([1, -2, 3]), [3]) });
    expect(Array.from(out[gx.name]!.data as Float64Array)).toEqual([1, -2, 3]);
  });

  it('differentiates w.r.t. an intermediate value and w.r.t. the loss itself', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [3]);
    const h = op.tanh(g, x);
    const loss = op.reduceSum(g, op.mul(g, h, h), [0], false); // d/dh = 2h
    const grads = grad(g, loss, [h, x, loss]);
    for (const v of grads.values()) g.output(v);
    const s = await ort.InferenceSession.create(serializeModel(g), SESSION);
    const xs = [0.5, -1, 2];
    const out = await s.run({ x: new ort.Tensor('float64', Float64Array.from(xs), [3]) });
    const dh = Array.from(out[grads.get(h.name)!.name]!.data as Float64Array);
    const dx = Array.from(out[grads.get('x')!.name]!.data as Float64Array);
    xs.forEach((v, i) => {
      expect(dh[i]).toBeCloseTo(2 * Math.tanh(v), 12);
      expect(dx[i]).toBeCloseTo(2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2), 12);
    });
    expect(Number(out[grads.get(loss.name)!.name]!.data[0])).toBe(1);
  });

  it('rejects a non-scalar loss, foreign or integer wrt values, and initializers', () => {
    const { g, w1, loss } = mlp();
    const other = new Graph('other').input('w1', 'float64', [4, 3]);
    expect(() => grad(g, w1, [w1])).toThrow(/the loss must be a float scalar \(rank 0\), got 'w1' \[4, 3\] float64/);
    expect(() => grad(g, loss, ['nope'])).toThrow(/wrt value 'nope' is not in graph 'mlp'/);
    expect(() => grad(g, loss, [other])).toThrow(/wrt value 'w1' is not in graph 'mlp'/);
    const ids = g.input('ids', 'int64', [2]);
    expect(() => grad(g, loss, [ids])).toThrow(/'ids' \[2\] int64 is not a float tensor/);
    const c = g.initializer('frozen', { dtype: 'float64', dims: [1], data: Float64Array.from([1]) });
    expect(() => grad(g, loss, [c])).toThrow(/'frozen' is an initializer/);
    expect(() => grad(g, loss, [c])).toThrow(AutodiffError);
  });

  it('names the op and node that has no gradient rule, and lists the supported ones', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const [floor] = g.addNode('Floor', [x], [{ dtype: 'float32', shape: [3] }]);
    const loss = op.reduceSum(g, op.mul(g, floor!, x), [0], false);
    expect(() => grad(g, loss, [x])).toThrow(
      /no gradient rule for Floor used by node 'Floor'; supported: Abs, Add, .*Where\./,
    );
  });

  it('names the forward node when a rule cannot build its gradient', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['T', 3]);
    const stepped = op.slice(g, x, { starts: [0], ends: [3], axes: [1], steps: [2] });
    expect(() => grad(g, op.reduceSum(g, stepped, [0, 1], false), [x])).toThrow(
      /Slice node 'Slice': the gradient supports step 1 only/,
    );
    const h = new Graph();
    const a = h.input('a', 'float32', ['T', 3]);
    const b = h.input('b', 'float32', ['S', 3]);
    const both = op.concat(h, [a, b, a], 0);
    expect(() => grad(h, op.reduceSum(h, both, [0, 1], false), [b])).toThrow(
      /Concat node 'Concat': cannot place input 'b' \[S, 3\]/,
    );
  });

  it('reports a wrt value the loss does not depend on, or gives it zeros when asked', async () => {
    const { g, loss, w2 } = mlp();
    const unused = g.input('unused', 'float64', [2, 2]);
    expect(() => grad(g, loss, [w2, unused])).toThrow(/the loss does not depend on wrt value 'unused'/);
    const gz = grad(g, loss, [unused], { unconnected: 'zeros' }).get('unused')!;
    expect(gz.shape).toEqual([2, 2]);
    const out = new Graph();
    const u = out.input('u', 'float64', [2, 2]);
    const l = op.reduceSum(out, op.mul(out, op.mulScalar(out, u, 0), u), [0, 1], false);
    out.output(grad(out, l, [u]).get('u')!);
    const s = await ort.InferenceSession.create(serializeModel(out), SESSION);
    const r = await s.run({ u: new ort.Tensor('float64', Float64Array.from([1, 2, 3, 4]), [2, 2]) });
    expect(Array.from(r['grad/u']!.data as Float64Array)).toEqual([0, 0, 0, 0]);
  });
});

describe('softmaxCrossEntropy', () => {
  async function run(logits: number[], dims: number[], labels: number[], weights?: number[]) {
    const g = new Graph();
    const x = g.input('x', 'float64', dims);
    const w = weights
      ? g.constant({ dtype: 'float64', dims: [weights.length], data: Float64Array.from(weights) })
      : undefined;
    const loss = softmaxCrossEntropy(g, x, ints(g, 'int64', dims.slice(0, -1), labels), w ? { classWeights: w } : {});
    g.output(loss, 'loss');
    g.output(grad(g, loss, [x]).get('x')!, 'dx');
    const s = await ort.InferenceSession.create(serializeModel(g), SESSION);
    const out = await s.run({ x: new ort.Tensor('float64', Float64Array.from(logits), dims) });
    return { loss: Number(out['loss']!.data[0]), dx: Array.from(out['dx']!.data as Float64Array) };
  }

  /** Reference: weighted mean of -log softmax at the label over non-ignored rows. */
  function reference(logits: number[], c: number, labels: number[], weights?: number[]): number {
    let num = 0;
    let den = 0;
    labels.forEach((label, i) => {
      if (label === -100) return;
      const row = logits.slice(i * c, i * c + c);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      const w = weights ? weights[label]! : 1;
      num += w * (lse - row[label]!);
      den += w;
    });
    return num / den;
  }

  it('matches a host reference with ignore_index -100 and class weights, stable for large logits', async () => {
    const logits = [1000, 0, -3, 0.5, 2, 1, -1, 4, 0, 7, -7, 1];
    const labels = [0, 2, -100, 1];
    const plain = await run(logits, [4, 3], labels);
    expect(plain.loss).toBeCloseTo(reference(logits, 3, labels), 10);
    // Row 0 (logit 1000, label 0) is already right: softmax - onehot there is exactly 0, and nothing is NaN.
    expect(plain.dx.every(Number.isFinite)).toBe(true);
    expect(plain.dx.slice(0, 3).map((v) => Math.abs(v))).toEqual([0, 0, 0]);
    const weights = [0.5, 2, 1];
    expect((await run(logits, [4, 3], labels, weights)).loss).toBeCloseTo(reference(logits, 3, labels, weights), 10);
  });

  it('gives loss 0 and zero gradients, not NaN, when every label is ignored', async () => {
    const r = await run([1, 2, 3, 4, 5, 6], [2, 3], [-100, -100]);
    expect(r.loss).toBe(0);
    expect(r.dx.every((v) => v === 0)).toBe(true);
  });
});
