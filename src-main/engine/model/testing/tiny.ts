import * as ort from 'onnxruntime-node';
import type { Graph } from '../../onnx';
import { serializeModel } from '../../onnx';
import type { BertDims } from '../dims';
import type { ParamStore } from '../param-store';

/** A tiny BERT like HF's BertModelTester: runs in milliseconds. */
export const TINY_DIMS: BertDims = {
  vocabSize: 50,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 64,
  maxPositions: 24,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

/** Row-major int64 tensor from nested arrays. */
export function int64Tensor(rows: readonly (readonly number[])[]): ort.Tensor {
  const flat = BigInt64Array.from(rows.flat(), (v) => BigInt(v));
  return new ort.Tensor('int64', flat, [rows.length, rows[0]!.length]);
}

/** Row-major float32 tensor from nested arrays. */
export function float32Tensor(rows: readonly (readonly number[])[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);
}

/** Feeds for every parameter in the store that the graph takes as an input. */
export function paramFeeds(g: Graph, store: ParamStore): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of g.inputs) {
    const t = store.get(input.name);
    if (t) feeds[input.name] = new ort.Tensor('float32', t.data, [...t.shape]);
  }
  return feeds;
}

/** Serialises and runs a graph once on the CPU EP. */
export async function runOnce(
  g: Graph,
  feeds: Record<string, ort.Tensor>,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(serializeModel(g), options);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
