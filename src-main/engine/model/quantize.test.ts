import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Graph, GraphBuildError, serializeModel, modelProtoType } from '../onnx';
import { buildInferenceGraph } from './inference-graph';
import { randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { encoderParamSpecs, HEAD_NAMES, headParamSpecs } from './param-names';
import { int8Linear, quantizePerChannel } from './quantize';
import { buildModelTrainingGraph } from './training-graph';
import { int64Tensor, runOnce, TINY_DIMS } from './testing';

const PYTHON = join(import.meta.dirname, '../../../.venv/bin/python');

describe('quantizePerChannel', () => {
  it('stores W transposed with one scale per output row, within half a step of each weight', () => {
    const out = 3;
    const inp = 4;
    const w = Float32Array.of(0.5, -1, 0.25, 0.1, 0, 0, 0, 0, 2, 3, -4, 1);
    const { q, scale } = quantizePerChannel(w, out, inp);
    expect(Array.from(scale)).toEqual([1 / 127, 1, 4 / 127].map(Math.fround));
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inp; i++) {
        expect(Math.abs(q[i * out + o]! * scale[o]! - w[o * inp + i]!)).toBeLessThanOrEqual(scale[o]! / 2 + 1e-7);
      }
    }
    expect(q[0 * out + 0]).toBe(64); // 0.5 / (1/127) = 63.5 rounds up
    expect(q[2 * out + 2]).toBe(-127); // the row's largest magnitude maps to -127
    expect(Array.from({ length: inp }, (_, i) => q[i * out + 1])).toEqual([0, 0, 0, 0]); // all-zero row
  });

  it('refuses a weight of the wrong size', () => {
    expect(() => quantizePerChannel(new Float32Array(5), 2, 3)).toThrow(/5 values, expected 2 x 3/);
  });
});

describe('int8 inference graph', () => {
  const spec: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 4, numNerLabels: 5, pooling: 'mean' };
  const store = new Map([
    ...randomTensors(encoderParamSpecs(TINY_DIMS), 3, 0.2),
    ...randomTensors(headParamSpecs(TINY_DIMS.hiddenSize, 4, 5), 4, 0.2),
  ]);
  const feeds = {
    input_ids: int64Tensor([
      [2, 7, 11, 45, 3, 0],
      [2, 19, 33, 8, 21, 3],
    ]),
    attention_mask: int64Tensor([
      [1, 1, 1, 1, 1, 0],
      [1, 1, 1, 1, 1, 1],
    ]),
  };

  it('stays close to fp32 and ships int8 weights instead of the fp32 ones', async () => {
    const fp32 = buildInferenceGraph(spec, store);
    const int8 = buildInferenceGraph(spec, store, { quantize: 'int8' });
    const a = await runOnce(fp32, feeds);
    const b = await runOnce(int8, feeds);
    const ea = a['sentence_embedding']!.data as Float32Array;
    const eb = b['sentence_embedding']!.data as Float32Array;
    let dot = 0;
    let na = 0;
    let nb = 0;
    ea.forEach((v, i) => {
      dot += v * eb[i]!;
      na += v * v;
      nb += eb[i]! ** 2;
    });
    expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.995);
    expect(Array.from(eb)).not.toEqual(Array.from(ea)); // it really ran the int8 path
    expect(int8.nodes.filter((n) => n.opType === 'MatMulInteger')).toHaveLength(6 * TINY_DIMS.numLayers);
    // Q, K and V share one quantized copy of their input.
    expect(int8.nodes.filter((n) => n.opType === 'QuantizeLinear')).toHaveLength(4 * TINY_DIMS.numLayers);
    // The fp32 encoder weights int8 replaced are not written, only their int8 copies.
    const written = (
      modelProtoType().decode(serializeModel(int8)).toJSON() as { graph: { initializer: { name: string }[] } }
    ).graph.initializer.map((i) => i.name);
    const dense = encoderParamSpecs(TINY_DIMS).filter((p) => p.shape.length === 2 && p.name.includes('.layer.'));
    expect(dense).toHaveLength(6 * TINY_DIMS.numLayers);
    for (const p of dense) {
      expect(written).not.toContain(p.name);
      expect(written.some((n) => n.endsWith(`${p.name}.q`))).toBe(true);
    }
    expect(written).toContain(HEAD_NAMES.classification.weight); // the heads stay fp32
  });

  it('gives each text the same result whatever else is in its batch (per-token activation scales)', async () => {
    const int8 = buildInferenceGraph(spec, store, { quantize: 'int8' });
    const both = await runOnce(int8, feeds);
    const alone = await runOnce(int8, {
      input_ids: int64Tensor([[2, 7, 11, 45, 3]]),
      attention_mask: int64Tensor([[1, 1, 1, 1, 1]]),
    });
    const first = (both['class_logits']!.data as Float32Array).subarray(0, 4);
    expect(Array.from(alone['class_logits']!.data as Float32Array)).toEqual(Array.from(first));
  });

  it.skipIf(!existsSync(PYTHON))(
    'passes the onnx checker, training graph guard included (skipped without .venv)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'mts-q8-'));
      const int8File = join(dir, 'int8.onnx');
      const trainFile = join(dir, 'train.onnx');
      writeFileSync(int8File, serializeModel(buildInferenceGraph(spec, store, { quantize: 'int8' })));
      writeFileSync(trainFile, buildModelTrainingGraph({ model: spec, freeze: { preset: 'full' }, clipNorm: 1 }).bytes);
      const check =
        'import onnx,sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok")';
      expect(execFileSync(PYTHON, ['-c', check, int8File, trainFile]).toString().trim()).toBe('ok');
      rmSync(dir, { recursive: true, force: true });
    },
  );

  it('refuses a weight that is not a stored initializer', () => {
    const g = new Graph('fed');
    const x = g.input('x', 'float32', ['B', 4]);
    const w = g.input('w', 'float32', [3, 4]);
    expect(() => int8Linear(g, x, w, null)).toThrow(GraphBuildError);
    expect(() => int8Linear(g, x, w, null)).toThrow(/'w' must be a float32 \[Out, In\] initializer/);
  });
});
