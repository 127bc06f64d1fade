import { describe, expect, it } from 'vitest';
import { applyDropout, fmix32 } from '../dropout';
import type { Graph, Value } from '../onnx';
import { op } from '../onnx';
import { DEFAULT_ADAMW } from '../optim';
import { FeedError, hostTensor, type HostTensor, StateError, TrainingSession } from '../runtime';
import { buildEvalGraph, buildTrainingGraph, type TrainableSpec, TrainingGraphError } from './index';

const IN = 4;
const HIDDEN = 16;
const OUT = 2;
const N = 8;

const MLP_PARAMS: readonly TrainableSpec[] = [
  { name: 'l1.weight', shape: [HIDDEN, IN], decay: true },
  { name: 'l1.bias', shape: [HIDDEN], decay: false },
  { name: 'l2.weight', shape: [OUT, HIDDEN], decay: true },
  { name: 'l2.bias', shape: [OUT], decay: false },
];

/** x [B, IN] -> tanh(x W1^T + b1) -> dropout -> W2 -> [B, OUT]; mean squared error against y. */
function mlpForward(dropoutRate: number) {
  return (g: Graph, p: ReadonlyMap<string, Value>) => {
    const x = g.input('x', 'float32', ['batch', IN]);
    const y = g.input('y', 'float32', ['batch', OUT]);
    const h = op.tanh(g, op.gemm(g, x, p.get('l1.weight')!, p.get('l1.bias')!, { transB: true })); // [B, H]
    const hd = applyDropout(g, h, 'mlp.hidden', dropoutRate);
    const pred = op.gemm(g, hd, p.get('l2.weight')!, p.get('l2.bias')!, { transB: true }); // [B, OUT]
    const diff = op.sub(g, pred, y);
    const loss = op.reduceMean(g, op.mul(g, diff, diff), [0, 1], false); // []
    return { loss, outputs: { pred } };
  };
}

/** Deterministic uniform(-scale, scale) values from a counter hash (no Math.random in tests). */
function uniform(n: number, seed: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((fmix32(seed * 7919 + i) / 2 ** 32) * 2 - 1) * scale);
}

function initParams(seed: number): Map<string, Float32Array> {
  return new Map(
    MLP_PARAMS.map((p, k) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      return [p.name, uniform(size, seed + k, 1 / Math.sqrt(p.shape[p.shape.length - 1]!))];
    }),
  );
}

function batch(): Record<string, HostTensor> {
  const x = uniform(N * IN, 99, 1);
  // A smooth target the MLP can fit exactly enough: y = [sin(x0 + x1), x2 * x3].
  const y = new Float32Array(N * OUT);
  for (let i = 0; i < N; i++) {
    y[i * OUT] = Math.sin(x[i * IN]! + x[i * IN + 1]!);
    y[i * OUT + 1] = x[i * IN + 2]! * x[i * IN + 3]!;
  }
  return { x: hostTensor('float32', x, [N, IN]), y: hostTensor('float32', y, [N, OUT]) };
}

async function session(
  dropoutRate: number,
  seed: number,
  lr: number,
  params = initParams(seed),
  adoptParams = false,
  options: { readonly clipNorm?: number | null; readonly inPlace?: boolean } = {},
): Promise<TrainingSession> {
  const built = buildTrainingGraph({
    forward: mlpForward(dropoutRate),
    trainable: MLP_PARAMS,
    adamw: { ...DEFAULT_ADAMW, weightDecay: 0 },
    clipNorm: options.clipNorm === undefined ? 1 : options.clipNorm,
  });
  return TrainingSession.create({
    bytes: built.bytes,
    layout: { ...built.layout, inPlaceUpdates: options.inPlace ?? built.layout.inPlaceUpdates },
    adamw: { ...DEFAULT_ADAMW, weightDecay: 0 },
    schedule: { kind: 'constant', lr },
    params,
    adoptParams,
    seed,
    threads: 1,
  });
}

describe('training step (forward + grad + clip + AdamW in one graph)', () => {
  it('trains a 2-layer MLP to near-zero loss', async () => {
    const s = await session(0, 1, 0.02);
    const b = batch();
    const first = await s.trainStep(b);
    let last = first;
    for (let i = 0; i < 400; i++) last = await s.trainStep(b);
    expect(first.loss).toBeGreaterThan(0.05);
    expect(last.loss).toBeLessThan(1e-3);
    expect(last.step).toBe(400);
    expect(last.outputs['pred']!.dims).toEqual([N, OUT]);
    await s.release();
  });

  it('gives bit-for-bit identical losses over 20 steps for the same seed (dropout on), and different ones for another seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const s = await session(0.3, seed, 0.01);
      const losses: number[] = [];
      for (let i = 0; i < 20; i++) losses.push((await s.trainStep(batch())).loss);
      await s.release();
      return losses;
    };
    const a = await run(7);
    const b = await run(7);
    expect(b).toEqual(a);
    const c = await run(8);
    expect(c).not.toEqual(a);
  });

  it('resumes from a saved state with the same losses as an uninterrupted run', async () => {
    const full = await session(0.3, 3, 0.01);
    const losses: number[] = [];
    let saved = full.getState();
    for (let i = 0; i < 10; i++) {
      if (i === 5) saved = full.getState();
      losses.push((await full.trainStep(batch())).loss);
    }
    const resumed = await session(0.3, 3, 0.01);
    await resumed.loadState(saved);
    const tail: number[] = [];
    for (let i = 5; i < 10; i++) tail.push((await resumed.trainStep(batch())).loss);
    expect(tail).toEqual(losses.slice(5));
    const views = resumed.parameterViews();
    const copies = resumed.getParameters();
    expect(views.get('l1.weight')!.data).toEqual(copies.get('l1.weight'));
    expect(views.get('l1.weight')!.dims).toEqual([HIDDEN, IN]);
    await Promise.all([full.release(), resumed.release()]);
  });

  it('with adoptParams trains on the caller arrays themselves (no copy), with the same losses as a copy', async () => {
    const copied = await session(0.3, 4, 0.01);
    const given = initParams(4);
    const adopted = await session(0.3, 4, 0.01, given, true);
    const before = given.get('l1.weight')!.slice();
    expect(adopted.parameterViews().get('l1.weight')!.data).toBe(given.get('l1.weight'));
    expect(copied.parameterViews().get('l1.weight')!.data).not.toBe(given.get('l1.weight'));
    const losses = async (s: TrainingSession): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push((await s.trainStep(batch())).loss);
      return out;
    };
    expect(await losses(adopted)).toEqual(await losses(copied));
    // The second update wrote into the adopted buffer: the caller's array is the session's now.
    expect(Array.from(given.get('l1.weight')!)).not.toEqual(Array.from(before));
    await Promise.all([copied.release(), adopted.release()]);
  });

  for (const clipNorm of [1, null]) {
    it(`writes updates over their inputs with the same results as two buffer sets (clip ${clipNorm})`, async () => {
      const inPlace = await session(0.3, 5, 0.05, initParams(5), false, { clipNorm, inPlace: true });
      const twoSets = await session(0.3, 5, 0.05, initParams(5), false, { clipNorm, inPlace: false });
      for (let i = 0; i < 6; i++) {
        const [a, b] = [await inPlace.trainStep(batch()), await twoSets.trainStep(batch())];
        expect(a.loss).toBe(b.loss);
        expect(a.gradNorm).toBe(b.gradNorm);
      }
      const [pa, pb] = [inPlace.getState(), twoSets.getState()];
      for (const name of ['l1.weight', 'l2.bias']) {
        expect(Array.from(pa.params.get(name)!)).toEqual(Array.from(pb.params.get(name)!));
        expect(Array.from(pa.m.get(name)!)).toEqual(Array.from(pb.m.get(name)!));
        expect(Array.from(pa.v.get(name)!)).toEqual(Array.from(pb.v.get(name)!));
      }
      await Promise.all([inPlace.release(), twoSets.release()]);
    });
  }

  it('leaves parameters and moments untouched by a non-finite step (the graph guards its in-place update)', async () => {
    const s = await session(0, 6, 0.05);
    await s.trainStep(batch());
    const before = s.getState();
    const b = batch();
    const x = Float32Array.from(b['x']!.data as Float32Array);
    x[3] = Number.NaN;
    const bad = await s.trainStep({ ...b, x: hostTensor('float32', x, [N, IN]) });
    expect(bad.applied).toBe(false);
    expect(s.step).toBe(1);
    const after = s.getState();
    for (const name of ['l1.weight', 'l1.bias', 'l2.weight']) {
      expect(Array.from(after.params.get(name)!)).toEqual(Array.from(before.params.get(name)!));
      expect(Array.from(after.m.get(name)!)).toEqual(Array.from(before.m.get(name)!));
      expect(Array.from(after.v.get(name)!)).toEqual(Array.from(before.v.get(name)!));
    }
    expect((await s.trainStep(batch())).applied).toBe(true);
    await s.release();
  });

  it('names the input when a feed has the wrong shape or dtype', async () => {
    const s = await session(0, 1, 0.01);
    const b = batch();
    const wrong = { ...b, x: hostTensor('float32', new Float32Array(N * 3), [N, 3]) };
    await expect(s.trainStep(wrong)).rejects.toThrow(FeedError);
    await expect(s.trainStep(wrong)).rejects.toThrow(
      /Input 'x': expected float32 \[batch, 4\], got float32 \[8, 3\]; dim 1 must be 4/,
    );
    const badBatch = { ...b, y: hostTensor('float32', new Float32Array(4 * OUT), [4, OUT]) };
    await expect(s.trainStep(badBatch)).rejects.toThrow(/Input 'y'.*'batch'.*is 8 in input 'x' but 4 here/);
    const { y: _y, ...missing } = b;
    await expect(s.trainStep(missing)).rejects.toThrow(/Missing the following inputs: 'y'/);
    expect(s.step).toBe(0);
    await s.release();
  });

  it('discards a non-finite step: parameters, moments and step counter stay as they were', async () => {
    const s = await session(0, 1, 0.01);
    await s.trainStep(batch());
    const before = s.getState();
    const bad = { ...batch(), x: hostTensor('float32', new Float32Array(N * IN).fill(Number.NaN), [N, IN]) };
    const result = await s.trainStep(bad);
    expect(result.applied).toBe(false);
    expect(Number.isNaN(result.loss)).toBe(true);
    const after = s.getState();
    expect(after.step).toBe(1);
    expect(after.params).toEqual(before.params);
    expect(after.m).toEqual(before.m);
    expect((await s.trainStep(batch())).applied).toBe(true);
    expect(s.step).toBe(2);
    await s.release();
  });

  it('rejects states that do not fit the graph, naming the parameter', async () => {
    const s = await session(0, 1, 0.01);
    const params = initParams(1);
    const missing = new Map(params);
    missing.delete('l2.bias');
    await expect(s.loadState({ step: 0, params: missing, m: new Map(), v: new Map() })).rejects.toThrow(StateError);
    await expect(s.loadState({ step: 0, params: missing, m: new Map(), v: new Map() })).rejects.toThrow(
      /'l2.bias' is missing/,
    );
    const wrongSize = new Map(params).set('l1.bias', new Float32Array(3));
    await expect(s.loadState({ step: 0, params: wrongSize, m: new Map(), v: new Map() })).rejects.toThrow(
      /'l1.bias' has 3 values but the graph expects 16/,
    );
    const extra = new Map(params).set('l3.weight', new Float32Array(1));
    await expect(s.loadState({ step: 0, params: extra, m: new Map(), v: new Map() })).rejects.toThrow(
      /unknown parameter 'l3.weight'/,
    );
    await expect(s.loadState({ step: -1, params, m: new Map(), v: new Map() })).rejects.toThrow(/non-negative integer/);
    await s.release();
  });

  it('refuses a graph with nothing trainable and points to buildEvalGraph', () => {
    expect(() =>
      buildTrainingGraph({
        forward: mlpForward(0),
        trainable: [],
        frozen: MLP_PARAMS,
        adamw: DEFAULT_ADAMW,
        clipNorm: 1,
      }),
    ).toThrow(TrainingGraphError);
    expect(() =>
      buildTrainingGraph({
        forward: mlpForward(0),
        trainable: [],
        frozen: MLP_PARAMS,
        adamw: DEFAULT_ADAMW,
        clipNorm: 1,
      }),
    ).toThrow(/buildEvalGraph/);
  });

  it('builds no backward nodes for frozen parameters', () => {
    const built = buildTrainingGraph({
      forward: mlpForward(0),
      trainable: MLP_PARAMS.slice(2),
      frozen: MLP_PARAMS.slice(0, 2),
      adamw: DEFAULT_ADAMW,
      clipNorm: 1,
    });
    // dW1 = dh^T x: a backward node reading the batch input x exists only when l1 is trainable.
    const backwardReadsX = (nodes: typeof built.graph.nodes): boolean =>
      nodes.some((n) => n.name.startsWith('grad/') && n.inputs.some((i) => i?.name === 'x'));
    expect(backwardReadsX(built.graph.nodes)).toBe(false);
    const full = buildTrainingGraph({
      forward: mlpForward(0),
      trainable: MLP_PARAMS,
      adamw: DEFAULT_ADAMW,
      clipNorm: 1,
    });
    expect(backwardReadsX(full.graph.nodes)).toBe(true);
    expect(built.outputNames).not.toContain('l1.weight.new');
    expect(built.outputNames).toContain('l2.weight.new');
    expect(built.layout.batchInputs.map((b) => b.name)).toEqual(['x', 'y']);
  });

  it('buildEvalGraph has only forward outputs', () => {
    const ev = buildEvalGraph({
      params: MLP_PARAMS,
      forward: (g, p) => {
        const { outputs } = mlpForward(0)(g, p);
        return { pred: outputs.pred };
      },
    });
    expect(ev.outputNames).toEqual(['pred']);
    expect(ev.graph.nodes.some((n) => n.name.startsWith('optim'))).toBe(false);
  });
});
