import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../onnx';
import { buildEncoder } from './encoder';
import { ParameterError } from './errors';
import { randomTensors } from './init';
import { encoderParamSpecs } from './param-names';
import { declareParamInputs } from './param-store';
import { float32Tensor, int64Tensor, paramFeeds, referenceBertForward, runOnce, TINY_DIMS } from './testing';

const ids = [
  [2, 7, 11, 45, 3, 0, 0],
  [2, 19, 33, 8, 21, 17, 3],
  [2, 5, 3, 0, 0, 0, 0],
];
const mask = ids.map((r, b) => r.map((_, i) => (i < [5, 7, 3][b]! ? 1 : 0)));
const types = ids.map((r) => r.map((_, i) => (i >= 3 ? 1 : 0)));

function maxAbsDiff(got: Float32Array, want: number[][][]): number {
  const flat = want.flat(2);
  expect(got.length).toBe(flat.length);
  return flat.reduce((m, w, i) => Math.max(m, Math.abs(w - got[i]!)), 0);
}

describe('buildEncoder', () => {
  const store = randomTensors(encoderParamSpecs(TINY_DIMS), 7, 0.2);

  it('matches a float64 host reference, with token types and padding', async () => {
    const g = new Graph('enc');
    const params = declareParamInputs(g, encoderParamSpecs(TINY_DIMS));
    const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
    const attentionMask = g.input('attention_mask', 'int64', ['batch', 'seq']);
    const tokenTypeIds = g.input('token_type_ids', 'int64', ['batch', 'seq']);
    const out = buildEncoder(g, TINY_DIMS, params, { inputIds, attentionMask, tokenTypeIds });
    expect(out.lastHiddenState.shape).toEqual(['batch', 'seq', 32]);
    g.output(out.lastHiddenState, 'last_hidden_state');
    const res = await runOnce(g, {
      ...paramFeeds(g, store),
      input_ids: int64Tensor(ids),
      attention_mask: int64Tensor(mask),
      token_type_ids: int64Tensor(types),
    });
    const got = res['last_hidden_state']!;
    expect(got.dims).toEqual([3, 7, 32]);
    const want = referenceBertForward(TINY_DIMS, store, ids, mask, types);
    expect(maxAbsDiff(got.data as Float32Array, want)).toBeLessThan(2e-5);
  });

  it('takes a float mask and defaults token types to zeros, for any sequence length', async () => {
    const g = new Graph('enc');
    const params = declareParamInputs(g, encoderParamSpecs(TINY_DIMS));
    const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
    const attentionMask = g.input('attention_mask', 'float32', ['batch', 'seq']);
    g.output(buildEncoder(g, TINY_DIMS, params, { inputIds, attentionMask }).lastHiddenState, 'h');
    for (const len of [1, 4, 7]) {
      const sub = ids.map((r) => r.slice(0, len));
      const subMask = mask.map((r) => r.slice(0, len));
      const res = await runOnce(g, {
        ...paramFeeds(g, store),
        input_ids: int64Tensor(sub),
        attention_mask: float32Tensor(subMask),
      });
      const want = referenceBertForward(TINY_DIMS, store, sub, subMask);
      expect(maxAbsDiff(res['h']!.data as Float32Array, want)).toBeLessThan(2e-5);
    }
  });

  it('names a parameter with the wrong shape', () => {
    const g = new Graph('enc');
    const specs = encoderParamSpecs(TINY_DIMS).map((s) =>
      s.name === 'encoder.layer.1.intermediate.dense.weight' ? { ...s, shape: [32, 64] } : s,
    );
    const params = declareParamInputs(g, specs);
    const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
    const attentionMask = g.input('attention_mask', 'int64', ['batch', 'seq']);
    expect(() => buildEncoder(g, TINY_DIMS, params, { inputIds, attentionMask })).toThrow(ParameterError);
    expect(() => buildEncoder(new Graph(), TINY_DIMS, new Map(), { inputIds, attentionMask })).toThrow(/missing/);
  });
});

describe('buildEncoder in float64', () => {
  it('runs on the CPU EP (Erf taken in float32) and matches the host reference closely', async () => {
    const store = randomTensors(encoderParamSpecs(TINY_DIMS), 7, 0.2);
    const g = new Graph('enc64');
    const params = new Map(encoderParamSpecs(TINY_DIMS).map((s) => [s.name, g.input(s.name, 'float64', s.shape)]));
    const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
    const attentionMask = g.input('attention_mask', 'int64', ['batch', 'seq']);
    g.output(buildEncoder(g, TINY_DIMS, params, { inputIds, attentionMask }).lastHiddenState, 'h');
    const feeds: Record<string, ort.Tensor> = { input_ids: int64Tensor(ids), attention_mask: int64Tensor(mask) };
    for (const [name, t] of store) feeds[name] = new ort.Tensor('float64', Float64Array.from(t.data), [...t.shape]);
    const res = await runOnce(g, feeds, { graphOptimizationLevel: 'basic' });
    const got = res['h']!.data as Float64Array;
    const want = referenceBertForward(TINY_DIMS, store, ids, mask).flat(2);
    expect(want.reduce((m, w, i) => Math.max(m, Math.abs(w - got[i]!)), 0)).toBeLessThan(1e-6);
  });
});
