/**
 * What TrainingSession and AccumulatingSession share: parameters and AdamW moments that live between steps
 * either in host buffers (ParamBuffers) or on the device (DeviceParamState), the step counter, and every way
 * of reading, feeding, loading and freeing that state.
 */
import type * as ort from 'onnxruntime-node';
import type { DeviceParamState } from './device-params';
import type { DeviceTensors } from './device-tensors';
import { StateError } from './errors';
import type { Float, ParamBuffers, TrainingState } from './param-buffers';
import type { FeedTensor, HostTensor } from './tensor';

/**
 * Where parameters and AdamW moments live between steps: 'host' (ORT tensors over JS arrays; every run
 * feeds them in and writes them back) or 'device' (WebGPU buffers fed from one step to the next; only the
 * batch goes up and the losses come down).
 */
export type Residency = 'host' | 'device';

/** The state both sessions hold (each adds its own fields to either side). */
export type ResidentState =
  | { readonly kind: 'host'; readonly buffers: ParamBuffers }
  | { readonly kind: 'device'; readonly params: DeviceParamState; readonly tensors: DeviceTensors };

/** Device tensors as opaque feeds for another session on the same device. */
export function deviceFeeds(tensors: Readonly<Record<string, ort.Tensor>>): Record<string, FeedTensor> {
  const feeds: Record<string, FeedTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    feeds[name] = { location: 'device', dtype: t.type as HostTensor['dtype'], dims: t.dims, handle: t };
  }
  return feeds;
}

/** The step counter and the resident state, with the reads and loads both training sessions offer. */
export abstract class ResidentSession<S extends ResidentState> {
  protected stepIndex = 0;

  protected constructor(protected readonly state: S) {}

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.stepIndex;
  }

  /** Where the state lives. */
  get residency(): Residency {
    return this.state.kind;
  }

  /** Device tensors alive now (0 on the host); tests count these for leaks. */
  get liveDeviceTensors(): number {
    return this.state.kind === 'device' ? this.state.tensors.liveCount : 0;
  }

  /** Copies of the current parameters, moments and step (host residency; use readState on a device). */
  getState(): TrainingState {
    return this.hostBuffers('getState').getState(this.stepIndex);
  }

  /** Copies of the current parameters, moments and step, read back from the device when they live there. */
  async readState(): Promise<TrainingState> {
    return this.state.kind === 'host'
      ? this.state.buffers.getState(this.stepIndex)
      : this.state.params.getState(this.stepIndex);
  }

  /** Copies of the current parameter values only (host residency; use readParameters on a device). */
  getParameters(): ReadonlyMap<string, Float> {
    return this.getState().params;
  }

  /** Copies of the current parameter values, wherever they live. */
  async readParameters(): Promise<ReadonlyMap<string, Float>> {
    return this.state.kind === 'host' ? this.getState().params : this.state.params.getParameters();
  }

  /**
   * The current parameters as host-tensor views, without copying (e.g. to feed an eval session). They are
   * only valid until the next trainStep or loadState: copy them (getParameters) to keep them.
   */
  parameterViews(): ReadonlyMap<string, HostTensor> {
    return this.hostBuffers('parameterViews').parameterViews();
  }

  /**
   * The current parameters as feeds for another session on the same device: host views, or the device
   * tensors themselves (no copy). Valid until the next trainStep or loadState.
   */
  parameterFeeds(): Record<string, FeedTensor> {
    if (this.state.kind === 'host') return Object.fromEntries(this.state.buffers.parameterViews());
    return deviceFeeds(this.state.params.parameterFeeds());
  }

  /** Loads parameters (all required), moments (missing ones start at zero) and the step counter. */
  async loadState(state: TrainingState): Promise<void> {
    if (this.state.kind === 'host') this.state.buffers.load(state);
    else await this.state.params.load(state);
    this.stepIndex = state.step;
  }

  /** Frees the device state and its copy sessions (nothing to free on the host). */
  protected async releaseState(): Promise<void> {
    if (this.state.kind !== 'device') return;
    this.state.params.release();
    await this.state.tensors.dispose();
  }

  private hostBuffers(what: string): ParamBuffers {
    if (this.state.kind === 'host') return this.state.buffers;
    throw new StateError(
      `${what}() reads host buffers, but this session keeps its state on the device; use the async read.`,
    );
  }
}
