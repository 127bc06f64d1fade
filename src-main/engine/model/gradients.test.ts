import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { grad } from '../autodiff';
import { Graph } from '../onnx';
import { buildMultiTaskForward, declareBatchInputs } from './multitask';
import type { MultiTaskSpec } from './multitask';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import type { ParamTensor } from './param-store';
import { declareParamInputs } from './param-store';
import { readSafetensors } from './safetensors';
import { float32Tensor, int64Tensor, paramFeeds, runOnce } from './testing';

// Written by scripts/ref/multitask_grad_ref.py (PyTorch float64 BertModel + heads + cross-entropy).
const FIXTURES = join(import.meta.dirname, 'fixtures');
const grid = z.array(z.array(z.number().int()));
const meta = z
  .object({
    dims: z.object({
      vocabSize: z.number(),
      hiddenSize: z.number(),
      numLayers: z.number(),
      numHeads: z.number(),
      intermediateSize: z.number(),
      maxPositions: z.number(),
      typeVocabSize: z.number(),
      layerNormEps: z.number(),
    }),
    numClasses: z.number(),
    numNerLabels: z.number(),
    lossWeights: z.object({ classification: z.number(), ner: z.number() }),
    inputIds: grid,
    attentionMask: grid,
    classLabels: z.array(z.number().int()),
    nerLabels: grid,
    loss: z.number(),
    lossClassification: z.number(),
    lossNer: z.number(),
  })
  .parse(JSON.parse(readFileSync(join(FIXTURES, 'multitask-grad.json'), 'utf8')));

function load(file: string): Map<string, ParamTensor> {
  const st = readSafetensors(join(FIXTURES, file));
  return new Map(
    [...st.tensors.values()].map((info) => [info.name, { data: st.float32(info.name), shape: info.shape }]),
  );
}

describe('multi-task model gradients vs PyTorch (float64 reference)', () => {
  it('loss parts and every parameter gradient match', async () => {
    const spec: MultiTaskSpec = {
      dims: meta.dims,
      numClasses: meta.numClasses,
      numNerLabels: meta.numNerLabels,
      pooling: 'mean',
    };
    const params = load('multitask-params.safetensors');
    const want = load('multitask-grads.safetensors');
    const specs = [
      ...encoderParamSpecs(spec.dims),
      ...headParamSpecs(spec.dims.hiddenSize, spec.numClasses, spec.numNerLabels),
    ];
    expect(new Set(want.keys())).toEqual(new Set(specs.map((s) => s.name)));

    const g = new Graph('grad-check');
    const values = declareParamInputs(g, specs);
    const batch = declareBatchInputs(g, spec, { maskDtype: 'float32', withLabels: true });
    const out = buildMultiTaskForward(g, spec, values, batch, { lossWeights: meta.lossWeights });
    const grads = grad(g, out.loss!.total, [...values.values()]);
    g.output(out.loss!.total, 'loss');
    g.output(out.loss!.classification!, 'loss_cls');
    g.output(out.loss!.ner!, 'loss_ner');
    for (const s of specs) g.output(grads.get(s.name)!, `d/${s.name}`);

    const res = await runOnce(g, {
      ...paramFeeds(g, params),
      input_ids: int64Tensor(meta.inputIds),
      attention_mask: float32Tensor(meta.attentionMask),
      class_labels: new ort.Tensor('int32', Int32Array.from(meta.classLabels), [meta.classLabels.length]),
      ner_labels: new ort.Tensor('int32', Int32Array.from(meta.nerLabels.flat()), [
        meta.nerLabels.length,
        meta.nerLabels[0]!.length,
      ]),
    });
    const scalar = (n: string): number => (res[n]!.data as Float32Array)[0]!;
    expect(scalar('loss_cls')).toBeCloseTo(meta.lossClassification, 5);
    expect(scalar('loss_ner')).toBeCloseTo(meta.lossNer, 5);
    expect(scalar('loss')).toBeCloseTo(meta.loss, 5);

    let worst = { name: '', err: 0 };
    for (const s of specs) {
      const got = res[`d/${s.name}`]!.data as Float32Array;
      const ref = want.get(s.name)!.data;
      const scale = Math.max(1e-3, ...Array.from(ref, Math.abs));
      const err = ref.reduce((m, r, i) => Math.max(m, Math.abs(r - got[i]!)), 0) / scale;
      if (err > worst.err) worst = { name: s.name, err };
    }
    // float32 graph vs float64 reference: relative to each tensor's largest gradient.
    expect(worst.err, `worst: ${worst.name}`).toBeLessThan(1e-4);
  });
});
