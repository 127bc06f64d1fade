import type { DType, Graph, Value } from '../onnx';
import { op } from '../onnx';
import type { BertDims } from './dims';
import { headSize, validateDims } from './dims';
import { ModelConfigError } from './errors';
import type { DropoutFn, LinearFn } from './layers';
import { gelu, linear, noDropout, softmax } from './layers';
import { EMBEDDING_NAMES, layerParamNames } from './param-names';
import type { ParamValues } from './params';
import { param } from './params';

/** The token-level inputs of the encoder (graph inputs or values computed from them). */
export interface EncoderInputs {
  /** [B, T] int64 (Gather indices stay int64 on every EP). */
  readonly inputIds: Value;
  /** [B, T] 0/1, float or int: 1 = real token, 0 = padding. */
  readonly attentionMask: Value;
  /** [B, T] int64; absent means all zeros (single-segment input). */
  readonly tokenTypeIds?: Value;
  /** [T] or [B, T] int64; absent means 0..T-1 sliced from a constant range. */
  readonly positionIds?: Value;
}

export interface EncoderOptions {
  readonly dropout?: DropoutFn;
  /** The encoder's dense layers: fp32 `linear` (default) or `int8Linear` for quantized inference graphs. */
  readonly linear?: LinearFn;
}

/** What a layer is built with besides its weights. */
interface LayerOps {
  readonly dropout: DropoutFn;
  readonly linear: LinearFn;
}

export interface EncoderOutputs {
  /** [B, T, H] */
  readonly lastHiddenState: Value;
  /** [B, T] the attention mask in the model's float dtype, reused by pooling. */
  readonly maskFloat: Value;
}

/**
 * Builds BERT's encoder forward (embeddings, N post-LN transformer layers) on `g` from parameter values
 * named as in Hugging Face checkpoints. Batch and sequence dims stay symbolic.
 */
export function buildEncoder(
  g: Graph,
  dims: BertDims,
  params: ParamValues,
  inputs: EncoderInputs,
  options: EncoderOptions = {},
): EncoderOutputs {
  validateDims(dims);
  const dropout = options.dropout ?? noDropout;
  const ops: LayerOps = { dropout, linear: options.linear ?? linear };
  const dtype = param(params, EMBEDDING_NAMES.norm.weight, [dims.hiddenSize]).dtype;
  const maskFloat = op.cast(g, inputs.attentionMask, dtype); // [B, T]
  const additiveMask = g.withScope('enc.mask', () => attentionBias(g, maskFloat)); // [B, 1, 1, T]
  let h = g.withScope('enc.emb', () => embeddings(g, dims, params, inputs));
  h = dropout(g, h, { kind: 'embeddings' });
  for (let l = 0; l < dims.numLayers; l++) {
    h = g.withScope(`enc.l${l}`, () => encoderLayer(g, dims, params, l, h, additiveMask, ops));
  }
  return { lastHiddenState: h, maskFloat };
}

/** Most negative finite value per dtype, as HF's (1 - mask) * finfo.min: exp() of it is exactly 0. */
function maskFill(dtype: DType): number {
  if (dtype === 'float16') return -65504;
  return -3.4028234663852886e38;
}

/** (1 - mask) * min, shaped [B, 1, 1, T] to broadcast over heads and query positions. */
function attentionBias(g: Graph, maskFloat: Value): Value {
  const inverted = op.sub(g, g.scalar(1, maskFloat.dtype), maskFloat); // [B, T]
  const bias = op.mulScalar(g, inverted, maskFill(maskFloat.dtype));
  return op.unsqueeze(g, bias, [1, 2]); // [B, 1, 1, T]
}

function embeddings(g: Graph, dims: BertDims, params: ParamValues, inputs: EncoderInputs): Value {
  const h = dims.hiddenSize;
  if (inputs.inputIds.shape.length !== 2) {
    throw new ModelConfigError(`input_ids must be [batch, seq], got rank ${inputs.inputIds.shape.length}.`);
  }
  const word = op.gather(g, param(params, EMBEDDING_NAMES.word, [dims.vocabSize, h]), inputs.inputIds); // [B, T, H]
  const posTable = param(params, EMBEDDING_NAMES.position, [dims.maxPositions, h]);
  const posIds = inputs.positionIds ?? positionRange(g, dims.maxPositions, inputs.inputIds);
  let sum = op.add(g, word, op.gather(g, posTable, posIds)); // [B, T, H]
  if (dims.typeVocabSize > 0) {
    const typeTable = param(params, EMBEDDING_NAMES.tokenType, [dims.typeVocabSize, h]);
    // Without token type ids every position uses row 0: gather it once as [H] and broadcast.
    const typeIds =
      inputs.tokenTypeIds ?? g.constant({ dtype: 'int64', dims: [], data: BigInt64Array.of(0n) }, 'type0');
    sum = op.add(g, sum, op.gather(g, typeTable, typeIds));
  } else if (inputs.tokenTypeIds) {
    throw new ModelConfigError('token_type_ids were given but the model has no token-type table (type_vocab_size 0).');
  }
  const gamma = param(params, EMBEDDING_NAMES.norm.weight, [h]);
  const beta = param(params, EMBEDDING_NAMES.norm.bias, [h]);
  return op.layerNorm(g, sum, gamma, beta, dims.layerNormEps); // [B, T, H]
}

/** Position ids 0..T-1: a constant 0..P-1 range sliced to the run-time sequence length. */
function positionRange(g: Graph, maxPositions: number, inputIds: Value): Value {
  const range = g.constant(
    { dtype: 'int64', dims: [maxPositions], data: BigInt64Array.from({ length: maxPositions }, (_, i) => BigInt(i)) },
    'positions',
  ); // [P]
  const seqLen = op.slice(g, op.shapeOf(g, inputIds), { starts: [1], ends: [2], axes: [0] }); // [1] = T
  const seqDim = inputIds.shape[1]!;
  return g.addNode('Slice', [range, g.int64s([0]), seqLen, g.int64s([0])], [{ dtype: 'int64', shape: [seqDim] }])[0]!; // [T]
}

function encoderLayer(
  g: Graph,
  dims: BertDims,
  params: ParamValues,
  layer: number,
  x: Value,
  additiveMask: Value,
  ops: LayerOps,
): Value {
  const { dropout } = ops;
  const n = layerParamNames(layer);
  const h = dims.hiddenSize;
  const i = dims.intermediateSize;
  const lin = (v: Value, names: { weight: string; bias: string }, out: number, inp: number): Value =>
    ops.linear(g, v, param(params, names.weight, [out, inp]), param(params, names.bias, [out]));
  const norm = (v: Value, names: { weight: string; bias: string }): Value =>
    op.layerNorm(g, v, param(params, names.weight, [h]), param(params, names.bias, [h]), dims.layerNormEps);

  const ctx = g.withScope('attn', () => selfAttention(g, dims, params, layer, x, additiveMask, ops)); // [B, T, H]
  let attnOut = lin(ctx, n.attnOut, h, h);
  attnOut = dropout(g, attnOut, { kind: 'attention-output', layer });
  const y = norm(op.add(g, attnOut, x), n.attnNorm); // [B, T, H]

  return g.withScope('ffn', () => {
    const inter = gelu(g, lin(y, n.ffnIn, i, h)); // [B, T, I]
    const out = dropout(g, lin(inter, n.ffnOut, h, i), { kind: 'ffn-output', layer }); // [B, T, H]
    return norm(op.add(g, out, y), n.ffnNorm);
  });
}

function selfAttention(
  g: Graph,
  dims: BertDims,
  params: ParamValues,
  layer: number,
  x: Value,
  additiveMask: Value,
  { dropout, linear: lin }: LayerOps,
): Value {
  const n = layerParamNames(layer);
  const h = dims.hiddenSize;
  const heads = dims.numHeads;
  const d = headSize(dims);
  const proj = (names: { weight: string; bias: string }): Value =>
    op.reshape(g, lin(g, x, param(params, names.weight, [h, h]), param(params, names.bias, [h])), [0, 0, heads, d]); // [B, T, h, d]
  // Scaling q ([B,h,T,d]) rather than the scores ([B,h,T,T]) touches fewer elements when T > d.
  const q = op.mulScalar(g, op.transpose(g, proj(n.query), [0, 2, 1, 3]), 1 / Math.sqrt(d)); // [B, h, T, d]
  const kT = op.transpose(g, proj(n.key), [0, 2, 3, 1]); // [B, h, d, T]
  const v = op.transpose(g, proj(n.value), [0, 2, 1, 3]); // [B, h, T, d]
  const scores = op.add(g, op.matMul(g, q, kT), additiveMask); // [B, h, T, T]
  // Dropout on the probabilities inside the softmax composite: one backward for both (autodiff/composites).
  const probs = softmax(g, scores, -1, (gg, p) => dropout(gg, p, { kind: 'attention-probs', layer }));
  const ctx = op.transpose(g, op.matMul(g, probs, v), [0, 2, 1, 3]); // [B, T, h, d]
  return op.reshape(g, ctx, [0, 0, h]); // [B, T, H]
}
