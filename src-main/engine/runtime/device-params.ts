/**
 * Parameters and AdamW moments resident on a GPU between steps (WebGPU): the step graph's `.new` outputs
 * land on the device ('gpu-buffer') and are fed to the next step as they are, so per step only the batch
 * goes up and the losses come down. Weights come back to the host only when asked (checkpoints, resume
 * state, export). The host-side twin is ParamBuffers; both serve TrainingSession and AccumulatingSession.
 */
import type * as ort from 'onnxruntime-node';
import { stateNames } from '../optim';
import type { DeviceTensors } from './device-tensors';
import { StateError } from './errors';
import { type Float, graphParams, type ParamLayout, type TrainingState } from './param-buffers';
import { hostTensor } from './tensor';

interface Slot {
  readonly feedName: string;
  readonly outName: string;
  readonly shape: readonly number[];
  tensor: ort.Tensor | null;
}

/** The output names of a layout's state update (parameters and moments), for preferredOutputLocation. */
export function stateOutputNames(layout: ParamLayout): string[] {
  return layout.trainable.flatMap((p) => {
    const n = stateNames(p.name);
    return [n.newParam, n.newM, n.newV];
  });
}

/** Trainable state (param, m, v per tensor) and frozen parameters as device tensors owned by `tensors`. */
export class DeviceParamState {
  private readonly slots: readonly Slot[];
  private readonly byFeed: ReadonlyMap<string, Slot>;
  private readonly frozen = new Map<string, ort.Tensor>();

  constructor(
    readonly layout: ParamLayout,
    private readonly tensors: DeviceTensors,
  ) {
    const slots: Slot[] = [];
    for (const p of layout.trainable) {
      const names = stateNames(p.name);
      slots.push({ feedName: p.name, outName: names.newParam, shape: p.shape, tensor: null });
      slots.push({ feedName: names.m, outName: names.newM, shape: p.shape, tensor: null });
      slots.push({ feedName: names.v, outName: names.newV, shape: p.shape, tensor: null });
    }
    this.slots = slots;
    this.byFeed = new Map(slots.map((s) => [s.feedName, s]));
  }

  /** Adds the current device tensors to `feeds`: parameters, optionally moments and frozen parameters. */
  feedCurrent(feeds: Record<string, ort.Tensor>, what: { readonly moments: boolean; readonly frozen: boolean }): void {
    for (const p of this.layout.trainable) {
      feeds[p.name] = this.current(p.name);
      if (what.moments) {
        const names = stateNames(p.name);
        feeds[names.m] = this.current(names.m);
        feeds[names.v] = this.current(names.v);
      }
    }
    if (what.frozen) for (const [name, t] of this.frozen) feeds[name] = t;
  }

  /**
   * Takes the update's device outputs as the new state and releases the old. When the step was not applied
   * and the graph does not guard its own update, the outputs are released and the old state kept.
   */
  commit(outputs: Readonly<Record<string, ort.Tensor>>, applied: boolean): void {
    const keep = applied || this.layout.inPlaceUpdates === true;
    for (const slot of this.slots) {
      const out = outputs[slot.outName];
      if (!out) throw new StateError(`the step returned no '${slot.outName}'; fetch every output of the graph.`);
      this.tensors.own(out);
      if (keep) {
        if (slot.tensor) this.tensors.release(slot.tensor);
        slot.tensor = out;
      } else {
        this.tensors.release(out);
      }
    }
  }

  /** The current parameters (trainable and frozen) as device tensors, for an eval session on the device. */
  parameterFeeds(): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    this.feedCurrent(feeds, { moments: false, frozen: true });
    return feeds;
  }

  /** Host copies of parameters and moments, read back from the device. */
  async getState(step: number): Promise<TrainingState> {
    const params = new Map<string, Float>();
    const m = new Map<string, Float>();
    const v = new Map<string, Float>();
    for (const p of this.layout.trainable) {
      const names = stateNames(p.name);
      params.set(p.name, await this.read(this.current(p.name)));
      m.set(p.name, await this.read(this.current(names.m)));
      v.set(p.name, await this.read(this.current(names.v)));
    }
    for (const [name, t] of this.frozen) params.set(name, await this.read(t));
    return { step, params, m, v };
  }

  /** Host copies of the parameters only. */
  async getParameters(): Promise<Map<string, Float>> {
    const params = new Map<string, Float>();
    for (const p of this.layout.trainable) params.set(p.name, await this.read(this.current(p.name)));
    for (const [name, t] of this.frozen) params.set(name, await this.read(t));
    return params;
  }

  /** Uploads parameters (all required) and moments (missing ones start at zero), replacing what was there. */
  async load(state: TrainingState): Promise<void> {
    const expected = graphParams(this.layout, state.params);
    for (const p of expected) {
      const data = state.params.get(p.name);
      if (!data)
        throw new StateError(
          `parameter '${p.name}' is missing from the state; every trainable and frozen parameter needs a value.`,
        );
      const uploaded = await this.upload(data, p.shape, p.name);
      if (this.byFeed.has(p.name)) this.replace(this.byFeed.get(p.name)!, uploaded);
      else {
        const old = this.frozen.get(p.name);
        if (old) this.tensors.release(old);
        this.frozen.set(p.name, uploaded);
      }
    }
    for (const p of this.layout.trainable) {
      const names = stateNames(p.name);
      for (const [feed, data] of [
        [names.m, state.m.get(p.name)],
        [names.v, state.v.get(p.name)],
      ] as const) {
        const values = data ?? this.zeros(p.shape);
        this.replace(this.byFeed.get(feed)!, await this.upload(values, p.shape, feed));
      }
    }
  }

  /** Releases every device tensor of the state. */
  release(): void {
    for (const slot of this.slots) {
      if (slot.tensor) this.tensors.release(slot.tensor);
      slot.tensor = null;
    }
    for (const t of this.frozen.values()) this.tensors.release(t);
    this.frozen.clear();
  }

  private replace(slot: Slot, t: ort.Tensor): void {
    if (slot.tensor) this.tensors.release(slot.tensor);
    slot.tensor = t;
  }

  private current(feedName: string): ort.Tensor {
    const t = this.byFeed.get(feedName)?.tensor;
    if (!t) throw new StateError(`no device tensor '${feedName}' yet: load a state first.`);
    return t;
  }

  private async read(t: ort.Tensor): Promise<Float> {
    const host = await this.tensors.readback(t);
    return (host.data as Float).slice();
  }

  private zeros(shape: readonly number[]): Float {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.layout.dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  }

  private upload(data: Float, shape: readonly number[], name: string): Promise<ort.Tensor> {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new StateError(
        `'${name}' has ${data.length} values but the graph expects ${size} ([${shape.join(', ')}]).`,
      );
    }
    // The upload copies to the device anyway: convert only when the dtype differs, never copy on the host.
    if (this.layout.dtype === 'float32') {
      return this.tensors.upload(
        hostTensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), shape),
      );
    }
    return this.tensors.upload(
      hostTensor('float64', data instanceof Float64Array ? data : Float64Array.from(data), shape),
    );
  }
}
