import { describe, expect, it } from 'vitest';
import { applyDropout, fmix32 } from '../dropout';
import type { Graph, Value } from '../onnx';
import { op } from '../onnx';
import { type AdamWConfig, DEFAULT_ADAMW } from '../optim';
import { AccumulatingSession, hostTensor, type HostTensor, StateError, TrainingSession } from '../runtime';
import type { TrainableSpec, TrainingDType, TrainingGraphSpec } from './index';
import { buildAccumulationGraphs, buildTrainingGraph, gradAccNames } from './index';

const IN = 4;
const HIDDEN = 16;
const OUT = 2;

const PARAMS: readonly TrainableSpec[] = [
  { name: 'l1.weight', shape: [HIDDEN, IN], decay: true },
  { name: 'l1.bias', shape: [HIDDEN], decay: false },
  { name: 'l2.weight', shape: [OUT, HIDDEN], decay: true },
  { name: 'l2.bias', shape: [OUT], decay: false },
];
const ADAMW: AdamWConfig = { ...DEFAULT_ADAMW, weightDecay: 0.1 };

/** x [B, IN] -> tanh(x W1^T + b1) -> dropout -> W2 -> [B, OUT]; mean squared error over examples. */
function mlpForward(dtype: TrainingDType, dropoutRate: number) {
  return (g: Graph, p: ReadonlyMap<string, Value>) => {
    const x = g.input('x', dtype, ['batch', IN]);
    const y = g.input('y', dtype, ['batch', OUT]);
    const h = op.tanh(g, op.gemm(g, x, p.get('l1.weight')!, p.get('l1.bias')!, { transB: true })); // [B, H]
    const hd = applyDropout(g, h, 'mlp.hidden', dropoutRate);
    const pred = op.gemm(g, hd, p.get('l2.weight')!, p.get('l2.bias')!, { transB: true }); // [B, OUT]
    const diff = op.sub(g, pred, y);
    return { loss: op.reduceMean(g, op.mul(g, diff, diff), [0, 1], false), outputs: { pred } };
  };
}

function spec(dtype: TrainingDType, dropoutRate: number, clipNorm: number | null): TrainingGraphSpec {
  return { forward: mlpForward(dtype, dropoutRate), trainable: PARAMS, adamw: ADAMW, clipNorm, dtype };
}

/** Deterministic uniform(-scale, scale) values from a counter hash (no Math.random in tests). */
function uniform(n: number, seed: number, scale: number): number[] {
  return Array.from({ length: n }, (_, i) => ((fmix32(seed * 7919 + i) / 2 ** 32) * 2 - 1) * scale);
}

function typed(dtype: TrainingDType, values: readonly number[]): Float32Array | Float64Array {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

function initParams(dtype: TrainingDType): Map<string, Float32Array | Float64Array> {
  return new Map(
    PARAMS.map((p, k) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      return [p.name, typed(dtype, uniform(size, 11 + k, 1 / Math.sqrt(p.shape.at(-1)!)))];
    }),
  );
}

/** Rows [from, from + n) of a fixed data set: y = [sin(x0 + x1), x2 * x3]. */
function rows(dtype: TrainingDType, from: number, n: number): Record<string, HostTensor> {
  const x = uniform(64 * IN, 99, 1).slice(from * IN, (from + n) * IN);
  const y: number[] = [];
  for (let i = 0; i < n; i++) y.push(Math.sin(x[i * IN]! + x[i * IN + 1]!), x[i * IN + 2]! * x[i * IN + 3]!);
  const t = (v: number[], dims: number[]): HostTensor =>
    dtype === 'float32'
      ? hostTensor('float32', Float32Array.from(v), dims)
      : hostTensor('float64', Float64Array.from(v), dims);
  return { x: t(x, [n, IN]), y: t(y, [n, OUT]) };
}

async function single(s: TrainingGraphSpec, lr: number, seed = 1): Promise<TrainingSession> {
  const built = buildTrainingGraph(s);
  return TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw: ADAMW,
    schedule: { kind: 'constant', lr },
    params: initParams(s.dtype ?? 'float32'),
    seed,
    threads: 1,
    optimizationLevel: s.dtype === 'float64' ? 'basic' : 'all',
  });
}

async function accumulating(s: TrainingGraphSpec, k: number, lr: number, seed = 1): Promise<AccumulatingSession> {
  const built = buildAccumulationGraphs(s);
  return AccumulatingSession.create({
    gradientBytes: built.gradient.bytes,
    updateBytes: built.update.bytes,
    layout: built.layout,
    adamw: ADAMW,
    schedule: { kind: 'constant', lr },
    microBatches: k,
    params: initParams(s.dtype ?? 'float32'),
    seed,
    threads: 1,
    optimizationLevel: s.dtype === 'float64' ? 'basic' : 'all',
  });
}

function maxDiff(a: ReadonlyMap<string, ArrayLike<number>>, b: ReadonlyMap<string, ArrayLike<number>>): number {
  let worst = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  return worst;
}

describe('gradient accumulation (gradient graph per micro-batch + one update graph)', () => {
  it.each([
    ['float64', 1e-12, null],
    ['float64', 1e-12, 0.05],
    ['float32', 1e-5, 0.05],
  ] as const)(
    '%s: k=2 steps on A, B equal k=1 steps on A+B within %s (clip %s), over 3 steps',
    async (dtype, tol, clip) => {
      const s = spec(dtype, 0, clip);
      const one = await single(s, 0.01);
      const two = await accumulating(s, 2, 0.01);
      const start = one.getParameters();
      for (let step = 0; step < 3; step++) {
        const a = rows(dtype, step * 16, 8);
        const b = rows(dtype, step * 16 + 8, 8);
        const r1 = await one.trainStep(rows(dtype, step * 16, 16));
        const r2 = await two.trainStep([a, b]);
        expect(r2.step).toBe(step);
        expect(r2.micro).toHaveLength(2);
        expect(Math.abs(r2.loss - r1.loss)).toBeLessThan(tol * 10);
        expect(Math.abs(r2.gradNorm - r1.gradNorm)).toBeLessThan(tol * 10);
        if (clip !== null) expect(r1.gradNorm).toBeGreaterThan(clip); // the clip really scaled the update
      }
      expect(two.step).toBe(3);
      const moved = maxDiff(start, one.getParameters());
      expect(moved).toBeGreaterThan(1e-3); // the steps changed the weights far more than the tolerance
      expect(maxDiff(one.getParameters(), two.getParameters())).toBeLessThan(tol);
      expect(maxDiff(one.getState().m, two.getState().m)).toBeLessThan(tol);
      await Promise.all([one.release(), two.release()]);
    },
  );

  it('a step with fewer micro-batches than k averages what it got (one micro-batch = a plain step)', async () => {
    const s = spec('float64', 0, 1);
    const one = await single(s, 0.01);
    const two = await accumulating(s, 2, 0.01);
    await one.trainStep(rows('float64', 0, 8));
    const r = await two.trainStep([rows('float64', 0, 8)]);
    expect(r.micro).toHaveLength(1);
    expect(maxDiff(one.getParameters(), two.getParameters())).toBeLessThan(1e-12);
    await expect(two.trainStep([])).rejects.toThrow(/got 0 micro-batches; this session takes 1..2/);
    const three = [rows('float64', 0, 4), rows('float64', 4, 4), rows('float64', 8, 4)];
    await expect(two.trainStep(three)).rejects.toThrow(StateError);
    await Promise.all([one.release(), two.release()]);
  });

  it('draws each micro-batch its own reproducible dropout masks (stream step * k + micro), and resumes exactly', async () => {
    const s = spec('float32', 0.3, 1);
    const batchA = rows('float32', 0, 8);
    // Micro-batch 0 of step 0 uses the masks a plain session draws at step 0: same loss on the same weights.
    const plain = await single(s, 0.01, 5);
    const first = await plain.trainStep(batchA);
    const run = async (): Promise<{ losses: number[][]; session: AccumulatingSession }> => {
      const session = await accumulating(s, 2, 0.01, 5);
      const losses: number[][] = [];
      for (let i = 0; i < 6; i++) losses.push((await session.trainStep([batchA, batchA])).micro.map((m) => m.loss));
      return { losses, session };
    };
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
    expect(a.losses[0]![0]).toBeCloseTo(first.loss, 6);
    // Same weights and batch, other masks: the two micro-batches of a step differ.
    expect(a.losses[0]![1]).not.toBe(a.losses[0]![0]);

    const resumed = await accumulating(s, 2, 0.01, 5);
    const head = await accumulating(s, 2, 0.01, 5);
    for (let i = 0; i < 3; i++) await head.trainStep([batchA, batchA]);
    await resumed.loadState(head.getState());
    expect(resumed.step).toBe(3);
    const tail: number[][] = [];
    for (let i = 3; i < 6; i++) tail.push((await resumed.trainStep([batchA, batchA])).micro.map((m) => m.loss));
    expect(tail).toEqual(a.losses.slice(3));
    expect(maxDiff(resumed.getParameters(), a.session.getParameters())).toBe(0);
    await Promise.all([plain.release(), a.session.release(), b.session.release(), resumed.release(), head.release()]);
  });

  it('discards a step whose micro-batch loss is not finite (update not run, state unchanged)', async () => {
    const s = spec('float32', 0, 1);
    const two = await accumulating(s, 2, 0.01);
    await two.trainStep([rows('float32', 0, 4), rows('float32', 4, 4)]);
    const before = two.getState();
    const bad = {
      ...rows('float32', 8, 4),
      x: hostTensor('float32', new Float32Array(4 * IN).fill(Number.NaN), [4, IN]),
    };
    const r = await two.trainStep([rows('float32', 0, 4), bad]);
    expect(r.applied).toBe(false);
    expect(Number.isNaN(r.micro[1]!.loss)).toBe(true);
    expect(two.getState()).toEqual(before);
    expect((await two.trainStep([rows('float32', 0, 4)])).applied).toBe(true);
    expect(two.step).toBe(2);
    await two.release();
  });

  it('splits the I/O: activations and batch only in the gradient graph, moments and step scalars only in the update graph', () => {
    const built = buildAccumulationGraphs({
      ...spec('float32', 0.1, 1),
      trainable: PARAMS.slice(2),
      frozen: PARAMS.slice(0, 2),
    });
    const gi = built.gradient.inputNames;
    const ui = built.update.inputNames;
    expect(gi).toEqual(expect.arrayContaining(['x', 'y', 'l1.weight', 'dropout.mlp.hidden.mask', 'accum.scale']));
    expect(gi).toContain(gradAccNames('l2.weight').acc);
    expect(gi).not.toContain(gradAccNames('l1.weight').acc); // frozen: no accumulator, no backward
    expect(gi.some((n) => n.includes('adam') || n.startsWith('optim.'))).toBe(false);
    expect(built.gradient.outputNames).toEqual(['loss', 'pred', 'l2.weight.grad_acc.new', 'l2.bias.grad_acc.new']);
    expect(ui).not.toContain('x');
    expect(ui).not.toContain('l1.weight');
    expect(ui).toEqual(expect.arrayContaining(['l2.weight', 'l2.weight.adam_m', 'l2.weight.grad_acc', 'optim.lr']));
    expect(built.update.outputNames).toContain('optim.grad_norm');
    expect(built.layout.batchInputs.map((b) => b.name)).toEqual(['x', 'y']);
    expect(built.layout.dropout.map((d) => d.site)).toEqual(['mlp.hidden']);
  });
});
