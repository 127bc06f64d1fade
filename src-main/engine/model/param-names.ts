import type { BertDims } from './dims';

/** A parameter's Hugging Face name and shape ([out, in] for linear weights, as in PyTorch). */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Hugging Face names of one encoder layer's tensors. */
export function layerParamNames(layer: number) {
  const p = `encoder.layer.${layer}`;
  return {
    query: { weight: `${p}.attention.self.query.weight`, bias: `${p}.attention.self.query.bias` },
    key: { weight: `${p}.attention.self.key.weight`, bias: `${p}.attention.self.key.bias` },
    value: { weight: `${p}.attention.self.value.weight`, bias: `${p}.attention.self.value.bias` },
    attnOut: { weight: `${p}.attention.output.dense.weight`, bias: `${p}.attention.output.dense.bias` },
    attnNorm: { weight: `${p}.attention.output.LayerNorm.weight`, bias: `${p}.attention.output.LayerNorm.bias` },
    ffnIn: { weight: `${p}.intermediate.dense.weight`, bias: `${p}.intermediate.dense.bias` },
    ffnOut: { weight: `${p}.output.dense.weight`, bias: `${p}.output.dense.bias` },
    ffnNorm: { weight: `${p}.output.LayerNorm.weight`, bias: `${p}.output.LayerNorm.bias` },
  } as const;
}

export const EMBEDDING_NAMES = {
  word: 'embeddings.word_embeddings.weight',
  position: 'embeddings.position_embeddings.weight',
  tokenType: 'embeddings.token_type_embeddings.weight',
  norm: { weight: 'embeddings.LayerNorm.weight', bias: 'embeddings.LayerNorm.bias' },
} as const;

/** Names of the task heads (not Hugging Face names: a multi-task model has two heads). */
export const HEAD_NAMES = {
  classification: { weight: 'heads.classification.weight', bias: 'heads.classification.bias' },
  ner: { weight: 'heads.ner.weight', bias: 'heads.ner.bias' },
} as const;

/** Embedding tensors in checkpoint order. */
export function embeddingParamSpecs(dims: BertDims): ParamSpec[] {
  const h = dims.hiddenSize;
  const specs: ParamSpec[] = [
    { name: EMBEDDING_NAMES.word, shape: [dims.vocabSize, h] },
    { name: EMBEDDING_NAMES.position, shape: [dims.maxPositions, h] },
  ];
  if (dims.typeVocabSize > 0) specs.push({ name: EMBEDDING_NAMES.tokenType, shape: [dims.typeVocabSize, h] });
  specs.push({ name: EMBEDDING_NAMES.norm.weight, shape: [h] }, { name: EMBEDDING_NAMES.norm.bias, shape: [h] });
  return specs;
}

/** One encoder layer's tensors in checkpoint order. */
export function layerParamSpecs(dims: BertDims, layer: number): ParamSpec[] {
  const n = layerParamNames(layer);
  const h = dims.hiddenSize;
  const i = dims.intermediateSize;
  const linear = (l: { weight: string; bias: string }, out: number, inp: number): ParamSpec[] => [
    { name: l.weight, shape: [out, inp] },
    { name: l.bias, shape: [out] },
  ];
  const norm = (l: { weight: string; bias: string }): ParamSpec[] => [
    { name: l.weight, shape: [h] },
    { name: l.bias, shape: [h] },
  ];
  return [
    ...linear(n.query, h, h),
    ...linear(n.key, h, h),
    ...linear(n.value, h, h),
    ...linear(n.attnOut, h, h),
    ...norm(n.attnNorm),
    ...linear(n.ffnIn, i, h),
    ...linear(n.ffnOut, h, i),
    ...norm(n.ffnNorm),
  ];
}

/** Every encoder tensor (embeddings then layers); the pooler is not used by this engine. */
export function encoderParamSpecs(dims: BertDims): ParamSpec[] {
  const specs = embeddingParamSpecs(dims);
  for (let l = 0; l < dims.numLayers; l++) specs.push(...layerParamSpecs(dims, l));
  return specs;
}

/** Head tensors for the tasks present (a head with 0 labels is absent). */
export function headParamSpecs(hiddenSize: number, numClasses: number, numNerLabels: number): ParamSpec[] {
  const specs: ParamSpec[] = [];
  if (numClasses > 0) {
    specs.push(
      { name: HEAD_NAMES.classification.weight, shape: [numClasses, hiddenSize] },
      { name: HEAD_NAMES.classification.bias, shape: [numClasses] },
    );
  }
  if (numNerLabels > 0) {
    specs.push(
      { name: HEAD_NAMES.ner.weight, shape: [numNerLabels, hiddenSize] },
      { name: HEAD_NAMES.ner.bias, shape: [numNerLabels] },
    );
  }
  return specs;
}
