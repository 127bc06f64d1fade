import { describe, expect, it } from 'vitest';
import { buildInferenceGraph } from './inference-graph';
import { randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { encoderParamSpecs, HEAD_NAMES, headParamSpecs } from './param-names';
import type { PoolingMode } from './pooling';
import { int64Tensor, referenceBertForward, runOnce, TINY_DIMS } from './testing';

const ids = [
  [2, 7, 11, 45, 3, 0],
  [2, 19, 33, 8, 21, 3],
];
const mask = [
  [1, 1, 1, 1, 1, 0],
  [1, 1, 1, 1, 1, 1],
];

function referencePool(hidden: number[][], m: readonly number[], mode: PoolingMode): number[] {
  const real = hidden.filter((_, t) => m[t] === 1);
  const H = hidden[0]!.length;
  if (mode === 'cls') return hidden[0]!;
  if (mode === 'max') return Array.from({ length: H }, (_, i) => Math.max(...real.map((r) => r[i]!)));
  return Array.from({ length: H }, (_, i) => real.reduce((s, r) => s + r[i]!, 0) / real.length);
}

function referenceLinear(x: readonly number[], w: Float32Array, b: Float32Array): number[] {
  return Array.from(b, (bias, o) => x.reduce((s, v, k) => s + v * w[o * x.length + k]!, bias));
}

function maxDiff(got: Float32Array, want: readonly number[]): number {
  expect(got.length).toBe(want.length);
  return want.reduce((m, w, i) => Math.max(m, Math.abs(w - got[i]!)), 0);
}

describe('buildInferenceGraph', () => {
  const spec = (pooling: PoolingMode): MultiTaskSpec => ({ dims: TINY_DIMS, numClasses: 4, numNerLabels: 5, pooling });
  const store = new Map([
    ...randomTensors(encoderParamSpecs(TINY_DIMS), 3, 0.2),
    ...randomTensors(headParamSpecs(TINY_DIMS.hiddenSize, 4, 5), 4, 0.2),
  ]);
  const hidden = referenceBertForward(TINY_DIMS, store, ids, mask);
  const t = (name: string): Float32Array => store.get(name)!.data;

  for (const pooling of ['mean', 'cls', 'max'] as const) {
    it(`outputs ${pooling}-pooled embeddings and both heads' logits like the host reference`, async () => {
      const g = buildInferenceGraph(spec(pooling), store, { withTokenEmbeddings: true });
      expect(g.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
      const out = await runOnce(g, { input_ids: int64Tensor(ids), attention_mask: int64Tensor(mask) });
      const pooled = hidden.map((h, b) => referencePool(h, mask[b]!, pooling));
      expect(out['sentence_embedding']!.dims).toEqual([2, 32]);
      expect(maxDiff(out['sentence_embedding']!.data as Float32Array, pooled.flat())).toBeLessThan(2e-5);
      const cls = pooled.map((p) =>
        referenceLinear(p, t(HEAD_NAMES.classification.weight), t(HEAD_NAMES.classification.bias)),
      );
      expect(out['class_logits']!.dims).toEqual([2, 4]);
      expect(maxDiff(out['class_logits']!.data as Float32Array, cls.flat())).toBeLessThan(2e-5);
      const tok = hidden.map((h) =>
        h.map((row) => referenceLinear(row, t(HEAD_NAMES.ner.weight), t(HEAD_NAMES.ner.bias))),
      );
      expect(out['token_logits']!.dims).toEqual([2, 6, 5]);
      expect(maxDiff(out['token_logits']!.data as Float32Array, tok.flat(2))).toBeLessThan(2e-5);
      expect(maxDiff(out['token_embeddings']!.data as Float32Array, hidden.flat(2))).toBeLessThan(2e-5);
    });
  }

  it('leaves out the head of a task the model does not have', async () => {
    const g = buildInferenceGraph({ ...spec('mean'), numNerLabels: 0 }, store);
    expect(g.outputs.map((o) => o.name)).toEqual(['class_logits', 'sentence_embedding']);
    expect(() => buildInferenceGraph({ ...spec('mean'), numNerLabels: 0, numClasses: 0 }, store)).toThrow(
      /at least one task/,
    );
  });
});
