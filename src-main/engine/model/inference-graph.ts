import type { DType } from '../onnx';
import { Graph } from '../onnx';
import type { BertDims } from './dims';
import { buildEncoder } from './encoder';
import type { MultiTaskSpec } from './multitask';
import { BATCH_INPUTS, buildMultiTaskForward, declareBatchInputs, MODEL_OUTPUTS } from './multitask';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import type { ParamStore } from './param-store';
import { declareParamInitializers } from './param-store';
import { int8Linear } from './quantize';

export interface InferenceGraphOptions {
  readonly name?: string;
  /** attention_mask dtype; int64 by default, as Hugging Face tokenizers produce it. */
  readonly maskDtype?: DType;
  readonly withTokenTypes?: boolean;
  /** Also output [B, T, H] token embeddings (off by default: it is the largest output). */
  readonly withTokenEmbeddings?: boolean;
  /**
   * 'int8': the encoder's dense layers in int8 (weights per output channel, activations per run; see
   * quantize.ts), about 4x smaller and faster on CPUs with int8 dot products, at a small accuracy cost.
   */
  readonly quantize?: 'int8';
}

/**
 * Forward-only graph: inputs input_ids / attention_mask [B, T]; outputs class_logits [B, C],
 * token_logits [B, T, L] (for the heads the model has) and sentence_embedding [B, H]. Weights are
 * initializers so ORT can constant-fold the weight transposes and prepack the MatMuls.
 */
export function buildInferenceGraph(
  spec: MultiTaskSpec,
  store: ParamStore,
  options: InferenceGraphOptions = {},
): Graph {
  const g = new Graph(options.name ?? 'multitask-inference');
  const specs = [
    ...encoderParamSpecs(spec.dims),
    ...headParamSpecs(spec.dims.hiddenSize, spec.numClasses, spec.numNerLabels),
  ];
  const params = declareParamInitializers(g, store, specs);
  const batch = declareBatchInputs(g, spec, {
    maskDtype: options.maskDtype ?? 'int64',
    withTokenTypes: options.withTokenTypes ?? false,
  });
  const out = buildMultiTaskForward(g, spec, params, batch, options.quantize === 'int8' ? { linear: int8Linear } : {});
  if (out.classLogits) g.output(out.classLogits, MODEL_OUTPUTS.classLogits);
  if (out.tokenLogits) g.output(out.tokenLogits, MODEL_OUTPUTS.tokenLogits);
  g.output(out.sentenceEmbedding, MODEL_OUTPUTS.sentenceEmbedding);
  if (options.withTokenEmbeddings) g.output(out.tokenEmbeddings, MODEL_OUTPUTS.tokenEmbeddings);
  return g;
}

/**
 * Encoder-only forward graph (parity checks, embedding export): input_ids and attention_mask [B, T]
 * int64 in, last_hidden_state [B, T, H] out, weights as initializers.
 */
export function buildEncoderGraph(dims: BertDims, store: ParamStore, options: { readonly name?: string } = {}): Graph {
  const g = new Graph(options.name ?? 'bert-encoder');
  const params = declareParamInitializers(g, store, encoderParamSpecs(dims));
  const inputIds = g.input(BATCH_INPUTS.inputIds, 'int64', ['batch', 'seq']);
  const attentionMask = g.input(BATCH_INPUTS.attentionMask, 'int64', ['batch', 'seq']);
  g.output(buildEncoder(g, dims, params, { inputIds, attentionMask }).lastHiddenState, 'last_hidden_state');
  return g;
}
