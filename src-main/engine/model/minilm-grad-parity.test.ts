// One training step's loss and EVERY parameter gradient of the multi-task model on the real all-MiniLM-L6-v2,
// dropout off, against PyTorch in float64 (scripts/ref/minilm_grad_ref.py). The tiny-model test
// (gradients.test.ts) runs everywhere; this one needs ../shared/models and a .venv with torch, and skips without.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { grad } from '../autodiff';
import { Graph } from '../onnx';
import { WordPieceTokenizer } from '../tokenizer';
import { loadBertEncoder } from './hf-config';
import { initHeads } from './init';
import { buildMultiTaskForward, declareBatchInputs, type MultiTaskSpec } from './multitask';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import { declareParamInputs } from './param-store';
import { readSafetensors } from './safetensors';
import { PARITY_MODEL_DIR } from './testing/parity';
import { float32Tensor, int64Tensor, paramFeeds, runOnce } from './testing';

const PYTHON = join(import.meta.dirname, '../../../.venv/bin/python');
const SCRIPT = join(import.meta.dirname, '../../../scripts/ref/minilm_grad_ref.py');
const SENTENCES = [
  'EU rejects German call to boycott British lamb .',
  'Peter Blackburn',
  'The European Commission said on Thursday it disagreed with German advice to consumers .',
  'Germany imported 47,600 sheep from Britain last year , nearly half of total imports .',
];
const CLASSES = 4;
const NER_LABELS = 9;

function unavailable(): string | null {
  if (!existsSync(join(PARITY_MODEL_DIR, 'model.safetensors'))) return `no model at ${PARITY_MODEL_DIR}`;
  if (!existsSync(PYTHON)) return 'no .venv (npm run setup:ref creates it)';
  try {
    execFileSync(PYTHON, ['-c', 'import torch, transformers, safetensors'], { stdio: 'ignore' });
    return null;
  } catch {
    return '.venv lacks torch/transformers (npm run setup:ref)';
  }
}

const skip = unavailable();

describe('MiniLM multi-task gradients vs PyTorch float64', () => {
  it.skipIf(skip !== null)(
    `match for every parameter${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const tokenizer = WordPieceTokenizer.fromDir(PARITY_MODEL_DIR);
      const encoded = SENTENCES.map((s) => tokenizer.encode(s).ids);
      const T = Math.max(...encoded.map((ids) => ids.length));
      const inputIds = encoded.map((ids) => [...ids, ...Array<number>(T - ids.length).fill(tokenizer.padId)]);
      const attentionMask = encoded.map((ids) => Array.from({ length: T }, (_, t) => (t < ids.length ? 1 : 0)));
      // A tag on every real token but [CLS]/[SEP] (which tag does not matter for the arithmetic).
      const nerLabels = encoded.map((ids, b) =>
        Array.from({ length: T }, (_, t) => (t === 0 || t >= ids.length - 1 ? -100 : (t * 7 + b) % NER_LABELS)),
      );
      const classLabels = [0, 3, -100, 2];
      const { config, params } = loadBertEncoder(PARITY_MODEL_DIR);
      const heads = initHeads(config.dims.hiddenSize, CLASSES, NER_LABELS, 7);
      const dir = mkdtempSync(join(tmpdir(), 'mts-minilm-grad-'));
      writeFileSync(
        join(dir, 'batch.json'),
        JSON.stringify({
          inputIds,
          attentionMask,
          classLabels,
          nerLabels,
          heads: Object.fromEntries([...heads].map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data) }])),
        }),
      );
      const ref = readLosses(
        execFileSync(PYTHON, [SCRIPT, PARITY_MODEL_DIR, join(dir, 'batch.json'), join(dir, 'grads.st')]),
      );
      const want = readSafetensors(join(dir, 'grads.st'));

      const spec: MultiTaskSpec = { dims: config.dims, numClasses: CLASSES, numNerLabels: NER_LABELS, pooling: 'mean' };
      const specs = [...encoderParamSpecs(spec.dims), ...headParamSpecs(spec.dims.hiddenSize, CLASSES, NER_LABELS)];
      const g = new Graph('minilm-grad');
      const values = declareParamInputs(g, specs);
      const batch = declareBatchInputs(g, spec, { maskDtype: 'float32', withLabels: true });
      const out = buildMultiTaskForward(g, spec, values, batch, { lossWeights: { classification: 1, ner: 1 } });
      const grads = grad(g, out.loss!.total, [...values.values()]);
      g.output(out.loss!.total, 'loss');
      for (const s of specs) g.output(grads.get(s.name)!, `d/${s.name}`);
      const res = await runOnce(g, {
        ...paramFeeds(g, new Map([...params, ...heads])),
        input_ids: int64Tensor(inputIds),
        attention_mask: float32Tensor(attentionMask),
        class_labels: new ort.Tensor('int32', Int32Array.from(classLabels), [classLabels.length]),
        ner_labels: new ort.Tensor('int32', Int32Array.from(nerLabels.flat()), [nerLabels.length, T]),
      });
      const loss = (res['loss']!.data as Float32Array)[0]!;
      expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-5);

      // Relative error of each gradient tensor, ||ours - torch|| / ||torch|| (float32 graph vs float64 reference).
      // The attention key biases are the exception: their gradient is zero in exact arithmetic (a bias on every
      // key shifts a query's scores by one constant, which softmax ignores), so both sides hold rounding noise
      // there; ours must stay noise-sized against the whole gradient instead.
      const sq = (xs: ArrayLike<number>): number => Array.from(xs).reduce((acc, x) => acc + x * x, 0);
      const total = Math.sqrt(specs.reduce((acc, s) => acc + sq(want.float32(s.name)), 0));
      const isKeyBias = (name: string): boolean => name.endsWith('attention.self.key.bias');
      for (const s of specs.filter((p) => isKeyBias(p.name)))
        expect(Math.sqrt(sq(res[`d/${s.name}`]!.data as Float32Array)) / total, s.name).toBeLessThan(1e-6);
      const errors = specs
        .filter((s) => !isKeyBias(s.name))
        .map((s) => {
          const got = res[`d/${s.name}`]!.data as Float32Array;
          const exp = want.float32(s.name);
          const diff = Math.sqrt(sq(exp.map((e, i) => e - got[i]!)));
          return { name: s.name, rel: diff / Math.sqrt(sq(exp)) };
        });
      const worst = errors.reduce((x, y) => (y.rel > x.rel ? y : x));
      expect(errors).toHaveLength(want.tensors.size - 6);
      // Measured 2026-12-07: worst 1.34e-6 (encoder.layer.0.attention.self.key.weight).
      expect(worst.rel, `worst: ${worst.name}`).toBeLessThan(1e-5);
    },
    300_000,
  );
});

/** The reference's printed losses. */
function readLosses(stdout: Buffer): { loss: number } {
  const parsed = JSON.parse(stdout.toString().trim().split('\n').at(-1)!) as { loss: number };
  return parsed;
}
