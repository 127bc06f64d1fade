/** Element types the runtime exchanges with callers (who never import onnxruntime themselves). */
export interface HostDataMap {
  float32: Float32Array;
  float64: Float64Array;
  /** IEEE half-precision bit patterns (the cached encoder features). */
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  bool: Uint8Array;
  uint8: Uint8Array;
}
export type HostDType = keyof HostDataMap;

/** A tensor in host memory: a typed array and its dims, tagged with the dtype. */
export type HostTensor = {
  [K in HostDType]: { readonly dtype: K; readonly data: HostDataMap[K]; readonly dims: readonly number[] };
}[HostDType];

/**
 * A tensor that stays on a device (a WebGPU buffer). Opaque to callers: they get it from the runtime (e.g.
 * TrainingSession.parameterFeeds) and pass it back as a feed; its data cannot be read on the host directly.
 */
export interface DeviceTensorRef {
  readonly location: 'device';
  readonly dtype: HostDType;
  readonly dims: readonly number[];
  /** The runtime's own handle (an onnxruntime tensor). */
  readonly handle: unknown;
}

/** What a session run accepts as a feed. */
export type FeedTensor = HostTensor | DeviceTensorRef;

/** Builds a host tensor, checking that data length and dims agree. */
export function hostTensor<K extends HostDType>(dtype: K, data: HostDataMap[K], dims: readonly number[]): HostTensor {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new RangeError(
      `hostTensor: ${data.length} elements do not fit dims [${dims.join(', ')}] (${size}); fix the dims or the data.`,
    );
  }
  return { dtype, data, dims } as HostTensor;
}

/** "float32 [2, 3]" */
export function describeTensor(t: {
  readonly type?: string;
  readonly dtype?: string;
  readonly dims: readonly number[];
}): string {
  return `${t.dtype ?? t.type} [${t.dims.join(', ')}]`;
}
