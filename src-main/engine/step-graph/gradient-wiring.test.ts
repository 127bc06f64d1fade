import { describe, expect, it } from 'vitest';
import { fmix32 } from '../dropout';
import type { Graph, Value } from '../onnx';
import { op } from '../onnx';
import { createSession, hostTensor, type HostTensor, TrainingSession } from '../runtime';
import { buildEvalGraph, buildTrainingGraph, type TrainableSpec } from './index';

// A float64 MLP whose parameters have distinct shapes except the two [3, 3] weights, so that a gradient
// routed to the wrong parameter (same shape) would be caught.
const PARAMS: readonly TrainableSpec[] = [
  { name: 'a.weight', shape: [3, 3], decay: true },
  { name: 'a.bias', shape: [3], decay: false },
  { name: 'b.weight', shape: [3, 3], decay: true },
  { name: 'c.weight', shape: [2, 3], decay: true },
];
const ADAMW = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
const LR = 0.01;

function forward(g: Graph, p: ReadonlyMap<string, Value>): { loss: Value } {
  const x = g.input('x', 'float64', ['batch', 3]);
  const y = g.input('y', 'float64', ['batch', 2]);
  const h1 = op.tanh(g, op.gemm(g, x, p.get('a.weight')!, p.get('a.bias')!, { transB: true })); // [B, 3]
  const h2 = op.sigmoid(g, op.gemm(g, h1, p.get('b.weight')!, null, { transB: true })); // [B, 3]
  const out = op.gemm(g, h2, p.get('c.weight')!, null, { transB: true }); // [B, 2]
  const d = op.sub(g, out, y);
  return { loss: op.reduceMean(g, op.mul(g, d, d), [0, 1], false) };
}

function values(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (fmix32(seed * 1000 + i) / 2 ** 32) * 2 - 1);
}

describe('training graph gradient wiring (float64)', () => {
  it('feeds each parameter its own gradient (vs finite differences) and applies AdamW with decay only where marked', async () => {
    const params = new Map(
      PARAMS.map((p, k) => [
        p.name,
        values(
          p.shape.reduce((a, b) => a * b, 1),
          k + 1,
        ),
      ]),
    );
    const batch: Record<string, HostTensor> = {
      x: hostTensor('float64', values(12, 50), [4, 3]),
      y: hostTensor('float64', values(8, 60), [4, 2]),
    };
    const built = buildTrainingGraph({ forward, trainable: PARAMS, adamw: ADAMW, clipNorm: null, dtype: 'float64' });
    const train = await TrainingSession.create({
      bytes: built.bytes,
      layout: built.layout,
      adamw: ADAMW,
      schedule: { kind: 'constant', lr: LR },
      params,
      seed: 0,
      optimizationLevel: 'basic',
    });
    await train.trainStep(batch);
    const state = train.getState();

    const evalGraph = buildEvalGraph({
      params: PARAMS,
      dtype: 'float64',
      forward: (g, p) => ({ loss: forward(g, p).loss }),
    });
    const evalSession = await createSession(evalGraph.bytes, { optimizationLevel: 'basic' });
    const lossAt = async (name: string, i: number, delta: number): Promise<number> => {
      const feeds: Record<string, HostTensor> = { ...batch };
      for (const p of PARAMS) {
        const data = params.get(p.name)!.slice();
        if (p.name === name) data[i]! += delta;
        feeds[p.name] = hostTensor('float64', data, p.shape);
      }
      return Number((await evalSession.run(feeds))['loss']!.data[0]);
    };
    const h = 1e-6;
    for (const p of PARAMS) {
      const before = params.get(p.name)!;
      const m = state.m.get(p.name)!;
      const after = state.params.get(p.name)!;
      for (let i = 0; i < before.length; i++) {
        const fd = ((await lossAt(p.name, i, h)) - (await lossAt(p.name, i, -h))) / (2 * h);
        // After one step m = (1 - beta1) g: the gradient the graph routed to this parameter.
        expect(m[i]! / (1 - ADAMW.beta1), `${p.name}[${i}]`).toBeCloseTo(fd, 8);
        // Bias-corrected first step: p' = p (1 - lr wd [decay]) - lr g / (|g| + eps).
        const g = m[i]! / (1 - ADAMW.beta1);
        const decayed = p.decay ? before[i]! * (1 - LR * ADAMW.weightDecay) : before[i]!;
        expect(after[i]!).toBeCloseTo(decayed - (LR * g) / (Math.abs(g) + ADAMW.eps), 12);
      }
    }
    await Promise.all([train.release(), evalSession.release()]);
  });
});
