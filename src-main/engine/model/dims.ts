import { ModelConfigError } from './errors';

/**
 * The sizes the encoder graph needs, in engine terms. `fromHfConfig` in ./hf-dims maps a Hugging Face
 * config.json onto this; tests build tiny ones directly.
 */
export interface BertDims {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  readonly maxPositions: number;
  /** 0 means the checkpoint has no token-type table (RoBERTa-style); BERT has 2. */
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

/** Per-head size; throws when hidden size does not split evenly over heads. */
export function headSize(dims: BertDims): number {
  return dims.hiddenSize / dims.numHeads;
}

/** Throws a ModelConfigError naming the first inconsistent size. */
export function validateDims(dims: BertDims): void {
  const positive: (keyof BertDims)[] = [
    'vocabSize',
    'hiddenSize',
    'numLayers',
    'numHeads',
    'intermediateSize',
    'maxPositions',
  ];
  for (const key of positive) {
    const v = dims[key];
    if (!Number.isInteger(v) || v <= 0) {
      throw new ModelConfigError(`${key} must be a positive integer, got ${v}; check the model's config.json.`);
    }
  }
  if (!Number.isInteger(dims.typeVocabSize) || dims.typeVocabSize < 0) {
    throw new ModelConfigError(`typeVocabSize must be an integer >= 0, got ${dims.typeVocabSize}.`);
  }
  if (dims.hiddenSize % dims.numHeads !== 0) {
    throw new ModelConfigError(
      `hiddenSize ${dims.hiddenSize} is not divisible by numHeads ${dims.numHeads}; the attention heads need equal sizes.`,
    );
  }
  if (!(dims.layerNormEps > 0)) {
    throw new ModelConfigError(`layerNormEps must be > 0, got ${dims.layerNormEps}.`);
  }
}
