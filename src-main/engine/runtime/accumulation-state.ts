/** The state behind an AccumulatingSession: host ping-pong accumulators, or device-resident tensors. */
import type * as ort from 'onnxruntime-node';
import { type AccumulationLayout, gradAccNames } from '../step-graph';
import { DeviceParamState, stateOutputNames } from './device-params';
import { DeviceTensors } from './device-tensors';
import { newTensor, ParamBuffers } from './param-buffers';
import type { Device } from './session';
import type { HostTensor } from './tensor';

// Host: ping-pong accumulator buffers (an output cannot alias its input). Device: a zero set kept on the
// device for each step's first micro-batch, then each pass's outputs feed the next pass.
export type AccumulationState =
  | {
      readonly kind: 'host';
      readonly buffers: ParamBuffers;
      readonly acc: readonly { readonly name: string; readonly tensors: readonly [ort.Tensor, ort.Tensor] }[];
    }
  | {
      readonly kind: 'device';
      readonly params: DeviceParamState;
      readonly tensors: DeviceTensors;
      readonly zeros: ReadonlyMap<string, ort.Tensor>;
    };

/** Host state: parameters in ParamBuffers, two accumulator sets per trainable tensor. */
export function hostState(layout: AccumulationLayout): AccumulationState {
  const acc = layout.trainable.map((p) => ({
    name: p.name,
    tensors: [newTensor(layout.dtype, p.shape), newTensor(layout.dtype, p.shape)] as const,
  }));
  return { kind: 'host', buffers: new ParamBuffers(layout), acc };
}

/** Device state: parameters and a zero accumulator set uploaded once. */
export async function deviceState(
  layout: AccumulationLayout,
  device: Device,
  threads: number | undefined,
): Promise<AccumulationState> {
  const tensors = new DeviceTensors(device, threads !== undefined ? { threads } : {});
  const zeros = new Map<string, ort.Tensor>();
  for (const p of layout.trainable) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const data = layout.dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
    zeros.set(p.name, await tensors.upload({ dtype: layout.dtype, data, dims: p.shape } as HostTensor));
  }
  return { kind: 'device', params: new DeviceParamState(layout, tensors), tensors, zeros };
}

/** Device-resident accumulation: new accumulators on the device; loss and extra outputs on the host. */
export function gradientLocations(layout: AccumulationLayout): Record<string, 'cpu' | 'gpu-buffer'> {
  const locations: Record<string, 'cpu' | 'gpu-buffer'> = {};
  for (const p of layout.trainable) locations[gradAccNames(p.name).newAcc] = 'gpu-buffer';
  for (const name of [layout.lossOutput, ...layout.extraOutputs]) locations[name] = 'cpu';
  return locations;
}

/** Device-resident accumulation: the new state on the device; the grad norm on the host. */
export function updateLocations(layout: AccumulationLayout): Record<string, 'cpu' | 'gpu-buffer'> {
  const locations: Record<string, 'cpu' | 'gpu-buffer'> = {};
  for (const name of stateOutputNames(layout)) locations[name] = 'gpu-buffer';
  locations[layout.gradNormOutput] = 'cpu';
  return locations;
}
