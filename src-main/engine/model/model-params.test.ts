import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeModel } from '../onnx';
import { int64Tensor, referenceBertForward, TINY_DIMS, writeTinyBert } from './testing';
import { buildEncoderGraph, buildInferenceGraph } from './inference-graph';
import { newModelParams } from './model-params';
import { encoderParamSpecs, HEAD_NAMES, headParamSpecs } from './param-names';
import { checkStore } from './param-store';

describe('newModelParams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mts-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the encoder from a Hugging Face folder and adds seeded heads', async () => {
    const tiny = writeTinyBert(join(dir, 'tiny'), { seed: 3 });
    const a = newModelParams({ kind: 'pretrained', dir: tiny.dir }, { numClasses: 4, numNerLabels: 9 }, 1);
    expect(a.dims).toEqual(tiny.config.dims);
    checkStore(a.params, [...encoderParamSpecs(a.dims), ...headParamSpecs(a.dims.hiddenSize, 4, 9)]);
    const b = newModelParams({ kind: 'pretrained', dir: tiny.dir }, { numClasses: 4, numNerLabels: 9 }, 1);
    expect(b.params.get(HEAD_NAMES.ner.weight)!.data).toEqual(a.params.get(HEAD_NAMES.ner.weight)!.data);
    // The loaded weights drive the graph exactly as the host reference computes with them.
    const ids = [[2, 7, 8, 3]];
    const mask = [[1, 1, 1, 1]];
    const session = await ort.InferenceSession.create(serializeModel(buildEncoderGraph(a.dims, a.params)));
    const out = await session.run({ input_ids: int64Tensor(ids), attention_mask: int64Tensor(mask) });
    const want = referenceBertForward(a.dims, a.params, ids, mask).flat(2);
    const got = out['last_hidden_state']!.data as Float32Array;
    expect(want.reduce((m, w, i) => Math.max(m, Math.abs(w - got[i]!)), 0)).toBeLessThan(2e-5);
    await session.release();
  });

  it('initialises a random encoder for a config and builds an inference graph from it', () => {
    const m = newModelParams({ kind: 'random', dims: TINY_DIMS }, { numClasses: 2, numNerLabels: 0 }, 9);
    expect(m.params.has(HEAD_NAMES.ner.weight)).toBe(false);
    const g = buildInferenceGraph({ dims: m.dims, numClasses: 2, numNerLabels: 0, pooling: 'cls' }, m.params);
    expect(g.outputs.map((o) => o.name)).toEqual(['class_logits', 'sentence_embedding']);
  });
});
