/**
 * Tensors that live on a GPU (onnxruntime 'gpu-buffer' tensors, WebGPU only in the 1.30 Node binding) and
 * the host<->device traffic around them. The traps this module exists for (DESIGN.md, engine section):
 * - nothing frees an undisposed device tensor, and a double dispose is undefined: every device tensor has
 *   exactly one owner here, `release` disposes it once, `liveCount` lets a test count leaks;
 * - `getData()` on a gpu-buffer tensor aborts the process: reads go through a tiny Identity session on the
 *   same device whose output is placed on the CPU;
 * - no API creates a device tensor from host data: uploads go through an Identity session whose output is
 *   placed on the device.
 */
import type * as ort from 'onnxruntime-node';
import { Graph, op, serializeModel } from '../onnx';
import { StateError } from './errors';
import { type Device, fromOrt, openSession, type SessionOptions, toOrt } from './session';
import type { HostTensor } from './tensor';

/** Bytes moved between host and device, counted by the runtime as it feeds and fetches. */
export interface TrafficCounter {
  hostToDevice: number;
  deviceToHost: number;
}

/** The bytes a tensor's data occupies. */
export function tensorBytes(t: {
  readonly dims: readonly number[];
  readonly type?: string;
  readonly dtype?: string;
}): number {
  const size = t.dims.reduce((a, b) => a * b, 1);
  const type = t.type ?? t.dtype;
  const width = type === 'float64' || type === 'int64' ? 8 : type === 'bool' || type === 'uint8' ? 1 : 4;
  return size * width;
}

/** Whether an ORT tensor's data is on a device (must not be read with getData on the host). */
export function onDevice(t: ort.Tensor): boolean {
  return t.location !== 'cpu' && t.location !== 'cpu-pinned';
}

type Direction = 'upload' | 'readback';

/** Owner of one device's tensors, with the Identity sessions that move data on and off it. */
export class DeviceTensors {
  private readonly live = new Set<ort.Tensor>();
  private readonly copiers = new Map<string, Promise<ort.InferenceSession>>();
  readonly traffic: TrafficCounter = { hostToDevice: 0, deviceToHost: 0 };

  constructor(
    readonly device: Device,
    private readonly options: SessionOptions = {},
  ) {}

  /** Device tensors owned and not yet released. */
  get liveCount(): number {
    return this.live.size;
  }

  /** Takes ownership of a device tensor an ORT run returned. */
  own(t: ort.Tensor): ort.Tensor {
    if (!onDevice(t)) throw new StateError(`own() takes device tensors; got one on '${t.location}'.`);
    this.live.add(t);
    return t;
  }

  /** Disposes a device tensor this owner holds; refuses a second release of the same tensor. */
  release(t: ort.Tensor): void {
    if (!this.live.delete(t)) {
      throw new StateError('release() of a device tensor that is not owned here (released twice, or never owned).');
    }
    t.dispose();
  }

  /** Copies a host tensor to the device; the result is owned here. */
  async upload(host: HostTensor): Promise<ort.Tensor> {
    const session = await this.copier('upload', host.dtype, host.dims.length);
    const out = (await session.run({ x: toOrt(host) }))['y']!;
    this.traffic.hostToDevice += tensorBytes(host);
    return this.own(out);
  }

  /** Copies a device tensor's data to the host (the device tensor stays owned and valid). */
  async readback(t: ort.Tensor): Promise<HostTensor> {
    if (!onDevice(t)) return fromOrt(t);
    const session = await this.copier('readback', t.type, t.dims.length);
    const out = (await session.run({ x: t }))['y']!;
    this.traffic.deviceToHost += tensorBytes(out);
    return fromOrt(out);
  }

  /** Releases every tensor still owned and the copy sessions. */
  async dispose(): Promise<void> {
    for (const t of this.live) t.dispose();
    this.live.clear();
    const sessions = await Promise.all(this.copiers.values());
    this.copiers.clear();
    for (const s of sessions) await s.release();
  }

  // One Identity session per (direction, dtype, rank), created on first use.
  private copier(direction: Direction, dtype: string, rank: number): Promise<ort.InferenceSession> {
    const key = `${direction}:${dtype}:${rank}`;
    let session = this.copiers.get(key);
    if (!session) {
      const g = new Graph(`copy_${direction}`);
      const x = g.input(
        'x',
        dtype as HostTensor['dtype'],
        Array.from({ length: rank }, (_, i) => `d${i}`),
      );
      g.output(op.identity(g, x), 'y');
      const location = direction === 'upload' ? 'gpu-buffer' : 'cpu';
      session = openSession(serializeModel(g), this.device, { ...this.options, preferredOutputLocation: location });
      this.copiers.set(key, session);
    }
    return session;
  }
}
