import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Graph, GraphBuildError, serializeModel } from '../onnx';
import { addAdamW, GRAD_NORM_OUTPUT, STEP_INPUT, stateNames, stepScalars } from './adamw';
import { learningRate, type LrSchedule } from './schedule';

const stepSchema = z.object({
  lr: z.number(),
  grad_norm: z.number(),
  params: z.record(z.string(), z.array(z.number())),
  m: z.record(z.string(), z.array(z.number())),
  v: z.record(z.string(), z.array(z.number())),
});
const fixtureSchema = z.object({
  config: z.object({
    beta1: z.number(),
    beta2: z.number(),
    eps: z.number(),
    weight_decay: z.number(),
    clip_norm: z.number(),
  }),
  schedule: z.object({ kind: z.literal('linear'), lr: z.number(), warmupSteps: z.number(), totalSteps: z.number() }),
  params: z.array(z.object({ name: z.string(), shape: z.array(z.number()), decay: z.boolean() })),
  init: z.record(z.string(), z.array(z.number())),
  grads: z.array(z.record(z.string(), z.array(z.number()))),
  float32: z.array(stepSchema),
  float64: z.array(stepSchema),
});
const fixture = fixtureSchema.parse(JSON.parse(readFileSync(join(__dirname, 'fixtures/adamw.json'), 'utf8')));
const config = {
  beta1: fixture.config.beta1,
  beta2: fixture.config.beta2,
  eps: fixture.config.eps,
  weightDecay: fixture.config.weight_decay,
};
const schedule: LrSchedule = fixture.schedule;

type Precision = 'float32' | 'float64';

function buildOptimizerGraph(dtype: Precision): Uint8Array {
  const g = new Graph('adamw');
  const params = fixture.params.map((p) => ({
    name: p.name,
    param: g.input(p.name, dtype, p.shape),
    grad: g.input(`grad.${p.name}`, dtype, p.shape),
    decay: p.decay,
  }));
  addAdamW(g, params, config, { clipNorm: fixture.config.clip_norm });
  return serializeModel(g);
}

function tensor(dtype: Precision, values: readonly number[], dims: readonly number[]): ort.Tensor {
  return dtype === 'float32'
    ? new ort.Tensor('float32', Float32Array.from(values), dims)
    : new ort.Tensor('float64', Float64Array.from(values), dims);
}

/** max |a - b| / max |b| over a tensor (norm-wise relative error, robust to entries near zero). */
function relError(got: ArrayLike<number>, want: readonly number[]): number {
  let diff = 0;
  let scale = 0;
  want.forEach((w, i) => {
    diff = Math.max(diff, Math.abs(got[i]! - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return diff / scale;
}

async function runSteps(dtype: Precision): Promise<void> {
  const session = await ort.InferenceSession.create(buildOptimizerGraph(dtype), { graphOptimizationLevel: 'basic' });
  const state = new Map<string, ort.Tensor>();
  for (const p of fixture.params) {
    const zeros = new Array<number>(p.shape.reduce((a, b) => a * b, 1)).fill(0);
    state.set(p.name, tensor(dtype, fixture.init[p.name]!, p.shape));
    state.set(stateNames(p.name).m, tensor(dtype, zeros, p.shape));
    state.set(stateNames(p.name).v, tensor(dtype, zeros, p.shape));
  }
  const tol = dtype === 'float32' ? 1e-6 : 1e-12;
  for (const [step, want] of fixture[dtype].entries()) {
    const lr = learningRate(schedule, step);
    expect(lr).toBeCloseTo(want.lr, 12);
    const scalars = stepScalars(config, lr, step);
    const feeds: Record<string, ort.Tensor> = Object.fromEntries(state);
    feeds[STEP_INPUT.lr] = tensor(dtype, [scalars.lr], []);
    feeds[STEP_INPUT.biasCorrection1] = tensor(dtype, [scalars.biasCorrection1], []);
    feeds[STEP_INPUT.biasCorrection2] = tensor(dtype, [scalars.biasCorrection2], []);
    for (const p of fixture.params) feeds[`grad.${p.name}`] = tensor(dtype, fixture.grads[step]![p.name]!, p.shape);
    const out = await session.run(feeds);
    expect(relError(out[GRAD_NORM_OUTPUT]!.data as Float32Array, [want.grad_norm])).toBeLessThan(tol);
    for (const p of fixture.params) {
      const names = stateNames(p.name);
      const got = { params: out[names.newParam]!, m: out[names.newM]!, v: out[names.newV]! };
      for (const key of ['params', 'm', 'v'] as const) {
        const err = relError(got[key].data as Float32Array, want[key][p.name]!);
        expect(err, `${dtype} step ${step} ${key} of ${p.name}`).toBeLessThan(tol);
      }
      state.set(p.name, got.params);
      state.set(names.m, got.m);
      state.set(names.v, got.v);
    }
  }
}

describe('AdamW graph fragment', () => {
  it('matches torch clip_grad_norm_ + AdamW + linear warmup over 4 steps in float32 (1e-6 relative)', async () => {
    await runSteps('float32');
  });

  it('matches the float64 torch reference to 1e-12', async () => {
    await runSteps('float64');
  });

  it("lrScale multiplies one parameter's step and leaves the others and the moments alone", async () => {
    const g = new Graph('adamw_scaled');
    const names = ['a', 'b'];
    const params = names.map((name) => ({
      name,
      param: g.input(name, 'float32', []),
      grad: g.input(`grad.${name}`, 'float32', []),
      decay: false,
      ...(name === 'b' && { lrScale: 200 }),
    }));
    addAdamW(g, params, config, { clipNorm: null });
    const session = await ort.InferenceSession.create(serializeModel(g));
    const scalars = stepScalars(config, 1e-4, 3);
    const feeds: Record<string, ort.Tensor> = {
      [STEP_INPUT.lr]: tensor('float32', [scalars.lr], []),
      [STEP_INPUT.biasCorrection1]: tensor('float32', [scalars.biasCorrection1], []),
      [STEP_INPUT.biasCorrection2]: tensor('float32', [scalars.biasCorrection2], []),
    };
    for (const n of names) {
      feeds[n] = tensor('float32', [0], []); // 0: the new value is the step itself, no rounding of p - step
      feeds[`grad.${n}`] = tensor('float32', [0.3], []);
      feeds[stateNames(n).m] = tensor('float32', [0.1], []);
      feeds[stateNames(n).v] = tensor('float32', [0.02], []);
    }
    const out = await session.run(feeds);
    const value = (n: string) => (out[n]!.data as Float32Array)[0]!;
    const stepA = -value(stateNames('a').newParam);
    const stepB = -value(stateNames('b').newParam);
    expect(stepA).toBeGreaterThan(0);
    expect(stepB / stepA).toBeCloseTo(200, 2);
    expect(value(stateNames('b').newM)).toBeCloseTo(value(stateNames('a').newM), 7);
    expect(() => addAdamW(new Graph(), [{ ...params[0]!, lrScale: 0 }], config, { clipNorm: null })).toThrow(
      /lrScale 0; expected a finite number > 0/,
    );
  });

  it('refuses an empty parameter list and mismatched gradients', () => {
    const g = new Graph();
    expect(() => addAdamW(g, [], config, { clipNorm: 1 })).toThrow(/mark at least one parameter trainable/);
    const w = g.input('w', 'float32', [2, 3]);
    const bad = g.input('gw', 'float32', [3, 2]);
    expect(() => addAdamW(g, [{ name: 'w', param: w, grad: bad, decay: true }], config, { clipNorm: 1 })).toThrow(
      GraphBuildError,
    );
    expect(() => addAdamW(g, [{ name: 'w', param: w, grad: bad, decay: true }], config, { clipNorm: 1 })).toThrow(
      /gradient of 'w' has shape \[3, 2\] but the parameter is \[2, 3\]/,
    );
  });
});
