import * as ort from 'onnxruntime-node';
import { DeviceUnavailableError, ModelLoadError, RunError } from './errors';
import type { DimBindings, FeedLike, InputSpec } from './feeds';
import { checkFeeds } from './feeds';
import type { FeedTensor, HostTensor } from './tensor';
import { describeTensor } from './tensor';

/** Execution providers the app may ask for. */
export type Device = 'cpu' | 'cuda' | 'webgpu' | 'dml' | 'coreml';

export interface SessionOptions {
  readonly device?: Device;
  /** Intra-op threads for the CPU EP (and CPU fallbacks); undefined lets ORT use every core. */
  readonly threads?: number;
  /** 'all' for training/inference; 'basic' or 'disabled' for float64 check graphs (FusedMatMul is float-only). */
  readonly optimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Let idle intra-op threads busy-wait for the next op (ORT's default). Off here: with other work on the
   * CPU, spinning threads steal the cores the real work needs (measured on a loaded 2-core machine: a
   * MiniLM training step 35 % faster without spinning). Turn it on for a dedicated many-core machine.
   */
  readonly spinning?: boolean;
  /**
   * ORT's CPU memory arena (default on: freed blocks stay reserved for the next run, which is fast). Off for
   * a graph that runs between runs of a bigger one in the same process (the accumulation update graph), so
   * its temporaries do not stay reserved in an arena of their own. CPU allocations only.
   */
  readonly memArena?: boolean;
  /**
   * ORT's memory pattern (default off): after a run, ORT plans one block for all intermediates of that
   * input shape and allocates it next time. With length-bucketed batches every new shape gets a block of
   * its own beside the arena's chunks: a MiniLM training step at B32 x T128 peaked at 3.4 GiB with it and
   * 2.4 GiB without, at the same speed (bench:train reports the peak RSS).
   */
  readonly memPattern?: boolean;
  /** Writes an ORT profile (JSON, per-node timings) to `${prefix}_<date>.json` when the session ends. */
  readonly profilePrefix?: string;
  /** Writes the graph after ORT's optimizations to this path (to inspect fusions). */
  readonly optimizedModelPath?: string;
  /**
   * Where outputs land: 'cpu' (default) or 'gpu-buffer' (WebGPU only), for all outputs or per output name.
   * Device outputs must be disposed by their owner (DeviceTensors).
   */
  readonly preferredOutputLocation?: OutputLocation | Readonly<Record<string, OutputLocation>>;
  /** ORT log severity: 0 verbose (prints node placement to stderr), 3 errors only (default 2: warnings). */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

export type OutputLocation = 'cpu' | 'gpu-buffer';

/** What actually ran, as far as the Node binding can tell. */
export interface DeviceReport {
  readonly requested: Device;
  /** The EP list the session was created with; ORT always adds the CPU EP for nodes others lack. */
  readonly providers: readonly string[];
  /** Whether this onnxruntime-node build lists the EP and ships its libraries. */
  readonly bundled: boolean;
  /**
   * 'all-cpu' on the CPU EP. Otherwise 'unverified': the Node binding does not expose node placement;
   * run with logLevel 'verbose' to see nodes that fell back to the CPU.
   */
  readonly nodePlacement: 'all-cpu' | 'unverified';
  readonly threads: number | 'default';
}

const HINTS: Readonly<Record<Device, string>> = {
  cpu: 'The CPU EP should always exist; reinstall onnxruntime-node.',
  cuda: 'Install the CUDA 12 and cuDNN 9 libraries and reinstall onnxruntime-node with CUDA enabled (see the README), or use device "cpu".',
  webgpu: 'WebGPU needs a GPU with a Vulkan/Metal/D3D12 driver (software Vulkan is refused); use device "cpu" here.',
  dml: 'DirectML exists only in the Windows build of onnxruntime-node; use "cpu" or "cuda".',
  coreml: 'CoreML exists only in the macOS build of onnxruntime-node; use "cpu".',
};

/** A loaded model with checked, host-tensor runs. The one place (with TrainingSession) that touches ORT. */
export interface Session {
  readonly device: DeviceReport;
  readonly inputs: readonly InputSpec[];
  readonly outputNames: readonly string[];
  /** Checks feeds (names, dtypes, dims) and runs; outputs come back as host tensors. */
  run(feeds: Readonly<Record<string, FeedTensor>>, outputs?: readonly string[]): Promise<Record<string, HostTensor>>;
  /** The underlying ORT session, for the runtime's own modules only. */
  readonly ort: ort.InferenceSession;
  /** Ends profiling (writes the profile file when profiling was on). */
  endProfiling(): void;
  release(): Promise<void>;
}

/** Creates a session from model bytes or a model file path (needed for external data) on the requested device; throws DeviceUnavailableError with the EP's own message. */
export async function createSession(modelBytes: Uint8Array | string, options: SessionOptions = {}): Promise<Session> {
  const device = options.device ?? 'cpu';
  const session = await openSession(modelBytes, device, options);
  const inputs = inputSpecs(session);
  const report = deviceReport(device, options.threads);
  return {
    device: report,
    inputs,
    outputNames: session.outputNames,
    ort: session,
    run: async (feeds, outputs) => {
      checkFeeds(inputs, feeds);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = feedToOrt(t);
      const result = await runChecked(session, ortFeeds, outputs ? [...outputs] : undefined);
      const out: Record<string, HostTensor> = {};
      for (const [name, t] of Object.entries(result)) out[name] = fromOrt(t);
      return out;
    },
    endProfiling: () => session.endProfiling(),
    release: () => session.release(),
  };
}

/** The execution providers this onnxruntime-node build lists (bundled or not). */
export function availableBackends(): string[] {
  return ort.listSupportedBackends().map((b) => b.name);
}

/** The onnxruntime-node version in use. */
export function onnxruntimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** The honest device report for a session created on `device`. */
export function deviceReport(device: Device, threads: number | undefined): DeviceReport {
  return {
    requested: device,
    providers: device === 'cpu' ? ['cpu'] : [device, 'cpu'],
    bundled: ort.listSupportedBackends().some((b) => b.name === device && b.bundled),
    nodePlacement: device === 'cpu' ? 'all-cpu' : 'unverified',
    threads: threads ?? 'default',
  };
}

/** Session options shared by plain and training sessions. */
export function ortSessionOptions(device: Device, options: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [device],
    graphOptimizationLevel: options.optimizationLevel ?? 'all',
    executionMode: 'sequential',
    enableCpuMemArena: options.memArena ?? true,
    enableMemPattern: options.memPattern ?? false,
    ...(options.threads !== undefined ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    // Session config entries (flattened by the binding to "session.intra_op.allow_spinning").
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
    ...(options.profilePrefix !== undefined ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
    ...(options.optimizedModelPath !== undefined ? { optimizedModelFilePath: options.optimizedModelPath } : {}),
    ...(options.preferredOutputLocation !== undefined && { preferredOutputLocation: options.preferredOutputLocation }),
    ...(options.logSeverityLevel !== undefined && { logSeverityLevel: options.logSeverityLevel }),
  };
}

/** Opens an ORT session, turning EP and model failures into typed errors. */
export async function openSession(
  modelBytes: Uint8Array | string,
  device: Device,
  options: SessionOptions,
): Promise<ort.InferenceSession> {
  const known = ort.listSupportedBackends().some((b) => b.name === device);
  if (!known) {
    const available = ort
      .listSupportedBackends()
      .map((b) => b.name)
      .join(', ');
    throw new DeviceUnavailableError(
      device,
      `this onnxruntime-node build has no '${device}' backend (it has: ${available})`,
      HINTS[device],
    );
  }
  try {
    const opts = ortSessionOptions(device, options);
    // A path lets ORT find external data (`<model>.onnx_data`) beside the model file.
    return await (typeof modelBytes === 'string'
      ? ort.InferenceSession.create(modelBytes, opts)
      : ort.InferenceSession.create(modelBytes, opts));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (looksLikeProviderFailure(message, device)) throw new DeviceUnavailableError(device, message, HINTS[device]);
    throw new ModelLoadError(message);
  }
}

function looksLikeProviderFailure(message: string, device: Device): boolean {
  if (device === 'cpu') return false;
  return /ExecutionProvider|provider|adapter|backend|shared library|cuda|webgpu|dml|coreml|vulkan/i.test(message);
}

/** Runs and wraps ORT failures in a RunError listing each feed's dtype and dims. */
export async function runChecked(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  fetches?: string[] | Record<string, ort.Tensor | null>,
): Promise<ort.InferenceSession.ReturnType> {
  try {
    return fetches === undefined ? await session.run(feeds) : await session.run(feeds, fetches);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new RunError(message, summariseFeeds(feeds));
  }
}

function summariseFeeds(feeds: Readonly<Record<string, FeedLike>>): string {
  const entries = Object.entries(feeds);
  const shown = entries.slice(0, 20).map(([n, t]) => `${n}: ${describeTensor(t)}`);
  return shown.join('; ') + (entries.length > 20 ? `; ... (${entries.length - 20} more)` : '');
}

/** The session's declared inputs as InputSpecs. */
export function inputSpecs(session: ort.InferenceSession): InputSpec[] {
  return session.inputMetadata.map((m) => ({
    name: m.name,
    dtype: m.isTensor ? m.type : 'non-tensor',
    shape: m.isTensor ? [...m.shape] : [],
  }));
}

/** A feed as ORT takes it: host tensors wrapped without copying, device tensors as they are. */
export function feedToOrt(t: FeedTensor): ort.Tensor {
  return 'location' in t ? (t.handle as ort.Tensor) : toOrt(t);
}

/** Wraps a host tensor for ORT without copying. */
export function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data, t.dims);
}

/** Views an ORT CPU tensor as a host tensor (no copy). */
export function fromOrt(t: ort.Tensor): HostTensor {
  const dims = [...t.dims];
  switch (t.type) {
    case 'float32':
      return { dtype: 'float32', data: t.data as Float32Array, dims };
    case 'float64':
      return { dtype: 'float64', data: t.data as Float64Array, dims };
    case 'float16':
      return { dtype: 'float16', data: t.data as Uint16Array, dims };
    case 'int64':
      return { dtype: 'int64', data: t.data as BigInt64Array, dims };
    case 'int32':
      return { dtype: 'int32', data: t.data as Int32Array, dims };
    case 'bool':
      return { dtype: 'bool', data: t.data as Uint8Array, dims };
    case 'uint8':
      return { dtype: 'uint8', data: t.data as Uint8Array, dims };
    default:
      throw new RunError(`output of type ${t.type} is not supported by the runtime`, '');
  }
}

export type { DimBindings };
