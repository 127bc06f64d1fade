import { describe, expect, it } from 'vitest';
import { fmix32 } from '../dropout';
import type { Graph, Value } from '../onnx';
import { op } from '../onnx';
import type { AdamWConfig } from '../optim';
import { FeedError, hostTensor, type HostTensor, TrainingSession, type TrainingState } from '../runtime';
import { buildAccumulationGraphs, buildTrainingGraph, type TrainingGraphSpec, TrainingGraphError } from './index';

// A table [V, H] read by one Gather and a dense weight w [H]: loss = sum_pos table[id] * coef[pos] * w. Its
// gradients are known in closed form, so a host reference of (lazy) AdamW can check the graph exactly.
const V = 10;
const H = 4;
const B = 2;
const T = 3;

function forward(g: Graph, p: ReadonlyMap<string, Value>): { loss: Value } {
  const ids = g.input('ids', 'int64', ['B', 'T']);
  const coef = g.input('coef', 'float64', ['B', 'T', H]);
  const rows = op.gather(g, p.get('table')!, ids); // [B, T, H]
  return { loss: op.reduceSum(g, op.mul(g, op.mul(g, rows, coef), p.get('w')!), [0, 1, 2], false) };
}

function spec(adamw: AdamWConfig, clipNorm: number | null, lazy: boolean): TrainingGraphSpec {
  return {
    forward,
    trainable: [
      { name: 'table', shape: [V, H], decay: true },
      { name: 'w', shape: [H], decay: false },
    ],
    adamw,
    clipNorm,
    dtype: 'float64',
    ...(lazy && { lazyRows: ['table'] }),
  };
}

const hash = (i: number, seed: number): number => (fmix32(seed * 7919 + i) / 2 ** 32) * 2 - 1;

function initial(): Map<string, Float64Array> {
  return new Map([
    ['table', Float64Array.from({ length: V * H }, (_, i) => hash(i, 1))],
    ['w', Float64Array.from({ length: H }, (_, i) => 0.5 + hash(i, 2))],
  ]);
}

interface Batch {
  readonly ids: readonly number[];
  readonly coef: Float64Array;
}

function batchOf(ids: readonly number[], seed: number): Batch {
  return { ids, coef: Float64Array.from({ length: B * T * H }, (_, i) => hash(i, seed)) };
}

const feeds = (b: Batch): Record<string, HostTensor> => ({
  ids: hostTensor('int64', BigInt64Array.from(b.ids, BigInt), [B, T]),
  coef: hostTensor('float64', b.coef, [B, T, H]),
});

/** torch clip_grad_norm_ + AdamW.step in float64; `lazy` updates only the table rows the batch holds. */
function referenceStep(
  s: { params: Map<string, Float64Array>; m: Map<string, Float64Array>; v: Map<string, Float64Array> },
  b: Batch,
  step: number,
  c: { readonly adamw: AdamWConfig; readonly lr: number; readonly clipNorm: number | null; readonly lazy: boolean },
): number {
  const table = s.params.get('table')!;
  const w = s.params.get('w')!;
  const gTable = new Float64Array(V * H);
  const gW = new Float64Array(H);
  b.ids.forEach((id, pos) => {
    for (let h = 0; h < H; h++) {
      gTable[id * H + h]! += b.coef[pos * H + h]! * w[h]!;
      gW[h]! += table[id * H + h]! * b.coef[pos * H + h]!;
    }
  });
  const norm = Math.sqrt([...gTable, ...gW].reduce((a, x) => a + x * x, 0));
  const scale = c.clipNorm === null ? 1 : Math.min(1, c.clipNorm / (norm + 1e-6));
  const { beta1, beta2, eps, weightDecay } = c.adamw;
  const bc1 = 1 - beta1 ** (step + 1);
  const bc2 = 1 - beta2 ** (step + 1);
  const update = (name: string, grad: Float64Array, decay: boolean, touched: (i: number) => boolean): void => {
    const [p, m, v] = [s.params.get(name)!, s.m.get(name)!, s.v.get(name)!];
    for (let i = 0; i < p.length; i++) {
      if (!touched(i)) continue;
      const gi = grad[i]! * scale;
      m[i] = beta1 * m[i]! + (1 - beta1) * gi;
      v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
      if (decay) p[i] = p[i]! * (1 - c.lr * weightDecay);
      p[i] = p[i]! - (c.lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
    }
  };
  const present = new Set(b.ids);
  update('table', gTable, true, (i) => !c.lazy || present.has(Math.floor(i / H)));
  update('w', gW, false, () => true);
  return norm;
}

async function run(
  batches: readonly Batch[],
  options: { readonly adamw: AdamWConfig; readonly clipNorm: number | null; readonly lazy: boolean },
): Promise<{ readonly state: TrainingState; readonly norms: readonly number[] }> {
  const built = buildTrainingGraph(spec(options.adamw, options.clipNorm, options.lazy));
  const s = await TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw: options.adamw,
    schedule: { kind: 'constant', lr: LR },
    params: initial(),
    seed: 1,
    threads: 1,
  });
  const norms: number[] = [];
  for (const b of batches) norms.push((await s.trainStep(feeds(b))).gradNorm);
  const state = s.getState();
  await s.release();
  return { state, norms };
}

function reference(
  batches: readonly Batch[],
  options: { readonly adamw: AdamWConfig; readonly clipNorm: number | null; readonly lazy: boolean },
): { readonly state: TrainingState; readonly norms: readonly number[] } {
  const params = initial();
  const zeros = (): Map<string, Float64Array> => new Map([...params].map(([n, p]) => [n, new Float64Array(p.length)]));
  const s = { params, m: zeros(), v: zeros() };
  const norms = batches.map((b, step) => referenceStep(s, b, step, { ...options, lr: LR }));
  return { state: { step: batches.length, ...s }, norms };
}

function maxDiff(a: TrainingState, b: TrainingState): number {
  let worst = 0;
  for (const kind of ['params', 'm', 'v'] as const) {
    for (const [name, x] of a[kind]) {
      const y = b[kind].get(name)!;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    }
  }
  return worst;
}

const LR = 0.05;
const ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
// Rows 7..9 never appear; rows 0..6 appear in some steps only.
const PARTIAL = [
  batchOf([0, 1, 1, 2, 0, 3], 10),
  batchOf([4, 4, 5, 0, 6, 6], 11),
  batchOf([2, 1, 1, 1, 2, 2], 12),
  batchOf([3, 5, 0, 6, 4, 2], 13),
];

describe('lazy row updates (TrainingGraphSpec.lazyRows)', () => {
  it('match a host LazyAdamW reference: absent rows keep weights and moments, decay only on present rows', async () => {
    for (const clipNorm of [null, 0.5]) {
      const options = { adamw: ADAMW, clipNorm, lazy: true };
      const got = await run(PARTIAL, options);
      const want = reference(PARTIAL, options);
      expect(maxDiff(got.state, want.state)).toBeLessThan(1e-12);
      got.norms.forEach((n, i) => expect(n).toBeCloseTo(want.norms[i]!, 12));
      // Rows 7..9 were never in a batch: their weights are the initial ones and their moments zero.
      const table = got.state.params.get('table')!;
      expect([...table.slice(7 * H)]).toEqual([
        ...initial()
          .get('table')!
          .slice(7 * H),
      ]);
      expect([...got.state.m.get('table')!.slice(7 * H)].every((x) => x === 0)).toBe(true);
    }
  });

  it('differ from dense AdamW on absent rows, which the dense reference also reproduces', async () => {
    const options = { adamw: ADAMW, clipNorm: 0.5, lazy: false };
    const dense = await run(PARTIAL, options);
    expect(maxDiff(dense.state, reference(PARTIAL, options).state)).toBeLessThan(1e-12);
    const lazy = await run(PARTIAL, { ...options, lazy: true });
    // Same gradient norm at the first step (absent rows contribute zeros), then the trajectories part.
    expect(lazy.norms[0]).toBeCloseTo(dense.norms[0]!, 12);
    expect(maxDiff(lazy.state, dense.state)).toBeGreaterThan(1e-4);
  });

  it('equal dense AdamW when every row of the table is in every batch', async () => {
    // Batches of [2, 5] ids that hold every one of the V = 10 rows.
    const covering = [0, 1, 2].map((k) => ({
      ids: [...Array(V).keys()],
      coef: Float64Array.from({ length: V * H }, (_, i) => hash(i, 40 + k)),
    }));
    const runWide = async (lazy: boolean): Promise<TrainingState> => {
      const built = buildTrainingGraph(spec(ADAMW, 0.5, lazy));
      const s = await TrainingSession.create({
        bytes: built.bytes,
        layout: built.layout,
        adamw: ADAMW,
        schedule: { kind: 'constant', lr: LR },
        params: initial(),
        seed: 1,
        threads: 1,
      });
      for (const b of covering) {
        await s.trainStep({
          ids: hostTensor('int64', BigInt64Array.from(b.ids, BigInt), [2, 5]),
          coef: hostTensor('float64', b.coef, [2, 5, H]),
        });
      }
      const state = s.getState();
      await s.release();
      return state;
    };
    expect(maxDiff(await runWide(true), await runWide(false))).toBeLessThan(1e-13);
  });

  it('equal dense AdamW for the first step without weight decay (absent rows have zero moments)', async () => {
    const options = { adamw: { ...ADAMW, weightDecay: 0 }, clipNorm: 0.5 };
    const lazy = await run(PARTIAL.slice(0, 1), { ...options, lazy: true });
    const dense = await run(PARTIAL.slice(0, 1), { ...options, lazy: false });
    expect(maxDiff(lazy.state, dense.state)).toBeLessThan(1e-13);
  });

  it('build the table gradient at [U, H] (no table-sized scatter) and write rows back with ScatterND', () => {
    const graph = buildTrainingGraph(spec(ADAMW, 0.5, true));
    const scatters = graph.graph.nodes.filter((n) => n.opType === 'ScatterND');
    const adds = scatters.filter((n) => n.attrs['reduction']?.kind === 'string');
    expect(adds.map((n) => n.outputs[0]!.shape)).toEqual([['rows:table', H]]);
    expect(scatters.map((n) => n.outputs[0]!.name).sort()).toEqual(
      [adds[0]!.outputs[0]!.name, 'table.adam_m.new', 'table.adam_v.new', 'table.new'].sort(),
    );
    expect(graph.layout.lazyRows).toEqual([
      { param: 'table', idsInput: 'ids', rowsInput: 'table.rows', inverseInput: 'table.row_of_id', tableRows: V },
    ]);
    expect(graph.layout.batchInputs.map((b) => b.name)).toEqual(['ids', 'coef']);
  });

  it('discard a non-finite step: the rows written back are the old ones', async () => {
    const built = buildTrainingGraph(spec(ADAMW, 0.5, true));
    const s = await TrainingSession.create({
      bytes: built.bytes,
      layout: built.layout,
      adamw: ADAMW,
      schedule: { kind: 'constant', lr: LR },
      params: initial(),
      seed: 1,
      threads: 1,
    });
    const bad = batchOf(PARTIAL[0]!.ids, 10);
    bad.coef[0] = Number.NaN;
    const r = await s.trainStep(feeds(bad));
    expect(r.applied).toBe(false);
    expect([...s.getState().params.get('table')!]).toEqual([...initial().get('table')!]);
    await expect(s.trainStep(feeds(batchOf([0, 1, 2, 3, 4, V], 1)))).rejects.toThrow(FeedError);
    await s.release();
  });

  it('refuse gradient accumulation and tables not read by one Gather of an int64 batch input', () => {
    expect(() => buildAccumulationGraphs(spec(ADAMW, 0.5, true))).toThrow(/lazy row updates.*dense updates/);
    expect(() => buildTrainingGraph({ ...spec(ADAMW, 0.5, false), lazyRows: ['w'] })).toThrow(TrainingGraphError);
    expect(() => buildTrainingGraph({ ...spec(ADAMW, 0.5, false), lazyRows: ['nope'] })).toThrow(/not a trainable/);
  });
});
