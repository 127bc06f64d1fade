// Adapters between runtime sessions and the predictor: feeds in the graph's own input convention, outputs
// picked by the conventional names.
import { type MultiTaskSpec, buildInferenceGraph, type ParamStore } from '../model';
import { serializeModel } from '../onnx';
import { createSession, type HostTensor, type Session, type SessionOptions } from '../runtime';
import { InferenceError } from './errors';
import type { BatchFeeds, ForwardFn, ForwardOutputs } from './ports';

/** Host feeds for whichever of input_ids / attention_mask / token_type_ids the session declares. */
export function sessionFeeds(session: Pick<Session, 'inputs'>, feeds: BatchFeeds): Record<string, HostTensor> {
  const dims = [feeds.batch, feeds.seq];
  const out: Record<string, HostTensor> = {};
  for (const input of session.inputs) {
    if (input.name === 'input_ids') out[input.name] = { dtype: 'int64', data: feeds.inputIds, dims };
    else if (input.name === 'token_type_ids') out[input.name] = { dtype: 'int64', data: feeds.tokenTypeIds, dims };
    else if (input.name === 'attention_mask') out[input.name] = maskTensor(input.dtype, feeds.attentionMask, dims);
    else {
      throw new InferenceError(
        `The model has an input '${input.name}' the predictor cannot feed; it feeds input_ids, attention_mask and token_type_ids.`,
      );
    }
  }
  return out;
}

function maskTensor(dtype: string, mask: BigInt64Array, dims: readonly number[]): HostTensor {
  if (dtype === 'int64') return { dtype: 'int64', data: mask, dims };
  if (dtype === 'float32') return { dtype: 'float32', data: Float32Array.from(mask, Number), dims };
  if (dtype === 'int32') return { dtype: 'int32', data: Int32Array.from(mask, Number), dims };
  throw new InferenceError(
    `attention_mask of type ${dtype} is not supported; export the model with an int64 or float32 mask.`,
  );
}

function float32(t: HostTensor | undefined): Float32Array | undefined {
  if (t === undefined) return undefined;
  if (t.dtype !== 'float32')
    throw new InferenceError(`Expected a float32 model output, got ${t.dtype}; outputs must be float32.`);
  return t.data;
}

/** A ForwardFn over a session with the multi-task outputs (class_logits, token_logits, sentence_embedding). */
export function sessionForward(session: Session): ForwardFn {
  const has = (n: string): boolean => session.outputNames.includes(n);
  const logits = ['class_logits', 'token_logits'].filter(has);
  const withEmbedding = [...logits, ...['sentence_embedding'].filter(has)];
  return async (feeds, want): Promise<ForwardOutputs> => {
    // Fetch only what is needed: ORT then skips nodes that feed nothing else (e.g. pooling for NER-only calls).
    const out = await session.run(sessionFeeds(session, feeds), want.sentenceEmbedding ? withEmbedding : logits);
    const classLogits = float32(out['class_logits']);
    const tokenLogits = float32(out['token_logits']);
    const sentenceEmbedding = float32(out['sentence_embedding']);
    return {
      ...(classLogits && { classLogits }),
      ...(tokenLogits && { tokenLogits }),
      ...(sentenceEmbedding && { sentenceEmbedding }),
    };
  };
}

/** Numeric precision of the encoder's dense layers at inference ('int8': see model/quantize.ts). */
export type Precision = 'fp32' | 'int8';

/** An ORT session of the in-app inference graph (weights as initializers) for a model spec and its weights. */
export async function createInferenceSession(
  spec: MultiTaskSpec,
  store: ParamStore,
  options: SessionOptions = {},
  precision: Precision = 'fp32',
): Promise<Session> {
  // On a GPU the mask comes in as float32: WebGPU has no Cast from int64, so an int64 mask would be cast on
  // the CPU and uploaded. The bundle's export graph keeps the Hugging Face int64 convention.
  const onGpu = options.device !== undefined && options.device !== 'cpu';
  return createSession(inferenceModelBytes(spec, store, precision, onGpu), options);
}

/** The serialised in-app inference graph (a GPU session takes its mask as float32: see createInferenceSession). */
export function inferenceModelBytes(
  spec: MultiTaskSpec,
  store: ParamStore,
  precision: Precision = 'fp32',
  onGpu = false,
): Uint8Array {
  const graph = buildInferenceGraph(spec, store, {
    ...(precision === 'int8' && { quantize: 'int8' as const }),
    ...(onGpu && { maskDtype: 'float32' as const }),
  });
  return serializeModel(graph);
}
