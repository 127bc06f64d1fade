// The graphs an export bundle ships: the multi-task graph (both heads + embedding) and one single-output
// graph per head in the Hugging Face / transformers.js convention (input_ids, attention_mask,
// token_type_ids -> logits).
import { Graph } from '../onnx';
import {
  buildEncoder,
  classificationHead,
  tokenClassificationHead,
  buildInferenceGraph,
  declareBatchInputs,
  type MultiTaskSpec,
  encoderParamSpecs,
  headParamSpecs,
  declareParamInitializers,
  type ParamStore,
  pool,
  int8Linear,
} from '../model';

export type HeadKind = 'classification' | 'ner';

/** Options of the exported graphs: int8 quantizes the encoder's dense layers (model/quantize.ts). */
export interface ExportGraphOptions {
  readonly quantize?: 'int8';
}

/** Multi-task export graph: int64 input_ids / attention_mask / token_type_ids -> class_logits, token_logits, sentence_embedding. */
export function buildExportGraph(spec: MultiTaskSpec, store: ParamStore, options: ExportGraphOptions = {}): Graph {
  return buildInferenceGraph(spec, store, {
    name: 'multitask-export',
    maskDtype: 'int64',
    withTokenTypes: true,
    ...(options.quantize && { quantize: options.quantize }),
  });
}

/**
 * One head alone with a single `logits` output ([B, C] for classification, [B, T, L] for NER), as
 * BertForSequenceClassification / BertForTokenClassification exports have. Only that head's nodes are built.
 */
export function buildHeadGraph(
  spec: MultiTaskSpec,
  store: ParamStore,
  head: HeadKind,
  options: ExportGraphOptions = {},
): Graph {
  const g = new Graph(`${head}-export`);
  const numClasses = head === 'classification' ? spec.numClasses : 0;
  const numNer = head === 'ner' ? spec.numNerLabels : 0;
  const specs = [...encoderParamSpecs(spec.dims), ...headParamSpecs(spec.dims.hiddenSize, numClasses, numNer)];
  const params = declareParamInitializers(g, store, specs);
  const batch = declareBatchInputs(
    g,
    { ...spec, numClasses, numNerLabels: numNer },
    { maskDtype: 'int64', withTokenTypes: true },
  );
  const enc = buildEncoder(g, spec.dims, params, batch, options.quantize === 'int8' ? { linear: int8Linear } : {});
  const logits =
    head === 'classification'
      ? classificationHead(g, params, pool(g, enc.lastHiddenState, enc.maskFloat, spec.pooling), numClasses) // [B, C]
      : tokenClassificationHead(g, params, enc.lastHiddenState, numNer); // [B, T, L]
  g.output(logits, 'logits');
  return g;
}
