import type { BertDims } from './dims';
import type { TaskSizes } from './freeze';
import { loadBertEncoder } from './hf-config';
import { initEncoder, initHeads } from './init';
import type { ParamTensor } from './param-store';

/** Where the encoder weights come from; heads are always freshly initialised here (checkpoints restore them). */
export type EncoderSource =
  { readonly kind: 'pretrained'; readonly dir: string } | { readonly kind: 'random'; readonly dims: BertDims };

export interface ModelParams {
  readonly dims: BertDims;
  /** Encoder (HF names) + head tensors, float32. */
  readonly params: Map<string, ParamTensor>;
}

/**
 * A full parameter store for a new multi-task model: the encoder from a Hugging Face folder's
 * model.safetensors (or HF-style random init) plus seeded normal(0, 0.02) heads for the tasks present.
 */
export function newModelParams(source: EncoderSource, tasks: TaskSizes, seed: number): ModelParams {
  const encoder =
    source.kind === 'pretrained'
      ? loadBertEncoder(source.dir)
      : { config: { dims: source.dims }, params: initEncoder(source.dims, seed) };
  const dims = encoder.config.dims;
  // The head seed differs from the encoder's so that a random encoder and its heads draw different numbers.
  const heads = initHeads(dims.hiddenSize, tasks.numClasses, tasks.numNerLabels, seed + 1);
  return { dims, params: new Map([...encoder.params, ...heads]) };
}
