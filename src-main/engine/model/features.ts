// The frozen-encoder feature path: a graph that computes the encoder's last hidden states once (the feature
// cache), and the graph inputs that let the heads train and evaluate on those cached states instead of ids.
import { Graph, op, serializeModel, type Value } from '../onnx';
import type { BertDims } from './dims';
import { buildEncoder } from './encoder';
import { BATCH_INPUTS, type LabelValues, type MultiTaskSpec } from './multitask';
import { encoderParamSpecs } from './param-names';
import type { ParamStore } from './param-store';
import { declareParamInitializers } from './param-store';
import { int8Linear } from './quantize';

/** Graph input of the heads graphs and output of the feature graph: last hidden states [B, T, H]. */
export const FEATURES_NAME = 'features';

/** How cached features are stored and fed: half precision halves the cache (the heads compute in fp32). */
export const FEATURE_DTYPE = 'float16';
/** float32 features make the cached path compute exactly what the ids graph does (the equivalence tests). */
export type FeatureDType = 'float16' | 'float32';

/** What the heads graphs read in place of input ids. */
export interface FeatureInputs {
  /** [B, T, H] float32 (cast from the fed float16 unless fed float32). */
  readonly lastHiddenState: Value;
  /** [B, T] float32, 1 = real token. */
  readonly maskFloat: Value;
  readonly labels: LabelValues;
}

/**
 * Declares features [B, T, H] float16 (or `dtype`), attention_mask [B, T] float32 and (withLabels) class_labels [B] /
 * ner_labels [B, T] int32, as declareBatchInputs does for ids. The features are data, not parameters: no
 * gradient flows into them.
 */
export function declareFeatureInputs(
  g: Graph,
  spec: MultiTaskSpec,
  options: { readonly withLabels?: boolean; readonly dtype?: FeatureDType } = {},
): FeatureInputs {
  const bt = ['batch', 'seq'];
  const dtype = options.dtype ?? FEATURE_DTYPE;
  const fed = g.input(FEATURES_NAME, dtype, ['batch', 'seq', spec.dims.hiddenSize]); // [B, T, H]
  const lastHiddenState = op.cast(g, fed, 'float32'); // [B, T, H]
  const maskFloat = g.input(BATCH_INPUTS.attentionMask, 'float32', bt); // [B, T]
  const labels = options.withLabels ?? false;
  return {
    lastHiddenState,
    maskFloat,
    labels: {
      ...(labels && spec.numClasses > 0 ? { classLabels: g.input(BATCH_INPUTS.classLabels, 'int32', ['batch']) } : {}),
      ...(labels && spec.numNerLabels > 0 ? { nerLabels: g.input(BATCH_INPUTS.nerLabels, 'int32', bt) } : {}),
    },
  };
}

/**
 * The feature graph: input_ids / attention_mask [B, T] int64 in, features [B, T, H] float16 out (the encoder
 * in eval mode: no dropout). Weights are initializers, so onnxruntime prepacks them for its GEMMs (fed as inputs
 * they were 12 % slower on AG News). 'int8' runs the encoder's dense layers in int8 (quantize.ts), as the int8
 * export does.
 */
export function buildFeatureGraph(
  dims: BertDims,
  store: ParamStore,
  options: { readonly quantize?: 'int8'; readonly dtype?: FeatureDType } = {},
): { readonly graph: Graph; readonly bytes: Uint8Array } {
  const g = new Graph('frozen-encoder-features');
  const specs = encoderParamSpecs(dims);
  const params = declareParamInitializers(g, store, specs);
  const inputIds = g.input(BATCH_INPUTS.inputIds, 'int64', ['batch', 'seq']);
  const attentionMask = g.input(BATCH_INPUTS.attentionMask, 'int64', ['batch', 'seq']);
  const enc = buildEncoder(
    g,
    dims,
    params,
    { inputIds, attentionMask },
    options.quantize ? { linear: int8Linear } : {},
  );
  g.output(op.cast(g, enc.lastHiddenState, options.dtype ?? FEATURE_DTYPE), FEATURES_NAME); // [B, T, H]
  return { graph: g, bytes: serializeModel(g) };
}
