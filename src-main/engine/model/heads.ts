import type { Graph, Value } from '../onnx';
import type { DropoutFn } from './layers';
import { linear, noDropout } from './layers';
import { HEAD_NAMES } from './param-names';
import type { ParamValues } from './params';
import { param } from './params';

/** Sentence classification head (dropout + linear, as HF BertForSequenceClassification): [B, H] -> [B, C]. */
export function classificationHead(
  g: Graph,
  params: ParamValues,
  pooled: Value,
  numClasses: number,
  dropout: DropoutFn = noDropout,
): Value {
  const h = pooled.shape[1] as number;
  return g.withScope('head.cls', () => {
    const x = dropout(g, pooled, { kind: 'head', task: 'classification' });
    const w = param(params, HEAD_NAMES.classification.weight, [numClasses, h]);
    return linear(g, x, w, param(params, HEAD_NAMES.classification.bias, [numClasses])); // [B, C]
  });
}

/** Token classification head (dropout + linear per token, BIO labels): [B, T, H] -> [B, T, L]. */
export function tokenClassificationHead(
  g: Graph,
  params: ParamValues,
  hidden: Value,
  numLabels: number,
  dropout: DropoutFn = noDropout,
): Value {
  const h = hidden.shape[2] as number;
  return g.withScope('head.ner', () => {
    const x = dropout(g, hidden, { kind: 'head', task: 'ner' });
    const w = param(params, HEAD_NAMES.ner.weight, [numLabels, h]);
    return linear(g, x, w, param(params, HEAD_NAMES.ner.bias, [numLabels])); // [B, T, L]
  });
}
