import * as ort from 'onnxruntime-node';
import { DropoutMasks, type DropoutSiteInfo, type FilledMask } from '../dropout';
import { type AdamWConfig, stateNames, stepScalars } from '../optim';
import type { FrozenSpec, TrainableSpec, TrainingDType } from '../step-graph';
import { StateError } from './errors';
import type { DimBindings } from './feeds';
import { resolveDim } from './feeds';
import { fromOrt } from './session';
import type { HostTensor } from './tensor';

export type Float = Float32Array | Float64Array;

/** Parameters and AdamW moments at a step: what a checkpoint stores and a resume loads. */
export interface TrainingState {
  /** Number of optimizer steps taken so far (the next step uses this index for lr and masks). */
  readonly step: number;
  readonly params: ReadonlyMap<string, Float>;
  readonly m: ReadonlyMap<string, Float>;
  readonly v: ReadonlyMap<string, Float>;
}

/** What the buffers need to know about a graph's parameters. */
export interface ParamLayout {
  readonly dtype: TrainingDType;
  readonly trainable: readonly TrainableSpec[];
  readonly frozen: readonly FrozenSpec[];
  /** The graph guards its update (TrainingGraphLayout.inPlaceUpdates): one buffer per tensor is enough. */
  readonly inPlaceUpdates?: boolean;
}

// Two buffers per trainable tensor: a step reads one set and writes the other, then they swap.
interface PingPong {
  readonly feedName: string;
  readonly outName: string;
  readonly tensors: [ort.Tensor, ort.Tensor];
}

/**
 * Trainable parameters and AdamW moments in preallocated ORT tensors, plus the frozen parameters. Two sets
 * (the update writes the idle set through preallocated fetches, then they swap) unless the graph guards its
 * update (inPlaceUpdates): then both slots hold the same tensor and each step writes its outputs over its
 * inputs, as PyTorch's optimizers update in place, which saves a parameters-plus-moments worth of memory
 * (270 MB for MiniLM). Shared by the single-graph and the accumulating training sessions.
 */
export class ParamBuffers {
  private current = 0;
  private readonly pingPong: readonly PingPong[];
  private readonly byFeed: ReadonlyMap<string, PingPong>;
  private readonly frozen: Map<string, ort.Tensor>;

  constructor(readonly layout: ParamLayout) {
    const pingPong: PingPong[] = [];
    for (const p of layout.trainable) {
      const names = stateNames(p.name);
      for (const [feedName, outName] of [
        [p.name, names.newParam],
        [names.m, names.newM],
        [names.v, names.newV],
      ] as const) {
        const first = newTensor(layout.dtype, p.shape);
        pingPong.push({
          feedName,
          outName,
          tensors: [first, layout.inPlaceUpdates ? first : newTensor(layout.dtype, p.shape)],
        });
      }
    }
    this.pingPong = pingPong;
    this.byFeed = new Map(pingPong.map((pp) => [pp.feedName, pp]));
    this.frozen = new Map(layout.frozen.map((p) => [p.name, newTensor(layout.dtype, p.shape)]));
  }

  /** Adds the current tensors to `feeds`: trainable parameters, optionally moments and frozen parameters. */
  feedCurrent(feeds: Record<string, ort.Tensor>, what: { readonly moments: boolean; readonly frozen: boolean }): void {
    for (const p of this.layout.trainable) feeds[p.name] = this.currentTensor(p.name);
    if (what.moments) {
      for (const p of this.layout.trainable) {
        const names = stateNames(p.name);
        feeds[names.m] = this.currentTensor(names.m);
        feeds[names.v] = this.currentTensor(names.v);
      }
    }
    if (what.frozen) for (const [name, t] of this.frozen) feeds[name] = t;
  }

  /** Points the update's outputs (`${p}.new`, moments `.new`) at the idle set. */
  fetchNext(fetches: Record<string, ort.Tensor | null>): void {
    for (const pp of this.pingPong) fetches[pp.outName] = pp.tensors[1 - this.current];
  }

  /** Makes the set just written current (after a step that is kept). */
  swap(): void {
    this.current = 1 - this.current;
  }

  /** Copies of the current parameters and moments, with `step`. */
  getState(step: number): TrainingState {
    const params = new Map<string, Float>();
    const m = new Map<string, Float>();
    const v = new Map<string, Float>();
    for (const p of this.layout.trainable) {
      const names = stateNames(p.name);
      params.set(p.name, copy(this.currentTensor(p.name)));
      m.set(p.name, copy(this.currentTensor(names.m)));
      v.set(p.name, copy(this.currentTensor(names.v)));
    }
    for (const [name, t] of this.frozen) params.set(name, copy(t));
    return { step, params, m, v };
  }

  /** No-copy views of the current parameters, valid until the next step or load. */
  parameterViews(): ReadonlyMap<string, HostTensor> {
    const views = new Map<string, HostTensor>();
    for (const p of this.layout.trainable) views.set(p.name, fromOrt(this.currentTensor(p.name)));
    for (const [name, t] of this.frozen) views.set(name, fromOrt(t));
    return views;
  }

  /** Loads parameters (all required) and moments (missing ones start at zero); checks the step. */
  load(state: TrainingState): void {
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new StateError(`step must be a non-negative integer, got ${state.step}.`);
    const expected = graphParams(this.layout, state.params);
    for (const p of expected) {
      const data = state.params.get(p.name);
      if (!data)
        throw new StateError(
          `parameter '${p.name}' is missing from the state; every trainable and frozen parameter needs a value.`,
        );
      fill(this.frozen.get(p.name) ?? this.currentTensor(p.name), data, p.name);
    }
    for (const p of this.layout.trainable) {
      const names = stateNames(p.name);
      fillOrZero(this.currentTensor(names.m), state.m.get(p.name), names.m);
      fillOrZero(this.currentTensor(names.v), state.v.get(p.name), names.v);
    }
  }

  /**
   * For a fresh set of buffers (zero moments, step 0): takes the caller's parameter arrays as the current
   * buffers instead of copying them, so the model's weights exist once in memory, not twice. The caller
   * gives them up: training overwrites them. Arrays of another dtype are copied; of another size, refused.
   */
  adopt(params: ReadonlyMap<string, Float>): void {
    for (const p of graphParams(this.layout, params)) {
      const data = params.get(p.name);
      if (!data)
        throw new StateError(`parameter '${p.name}' is missing; every trainable and frozen parameter needs a value.`);
      const target = this.frozen.get(p.name) ?? this.currentTensor(p.name);
      const sameKind = this.layout.dtype === 'float32' ? data instanceof Float32Array : data instanceof Float64Array;
      if (!sameKind || data.length !== (target.data as Float).length) {
        fill(target, data, p.name); // the error names the mismatch, or a dtype change is copied
        continue;
      }
      const wrapped = new ort.Tensor(this.layout.dtype, data, target.dims);
      const pp = this.byFeed.get(p.name);
      if (!pp) this.frozen.set(p.name, wrapped);
      else if (this.layout.inPlaceUpdates) pp.tensors[0] = pp.tensors[1] = wrapped;
      else pp.tensors[this.current] = wrapped;
    }
  }

  private currentTensor(feedName: string): ort.Tensor {
    const pp = this.byFeed.get(feedName);
    if (!pp) throw new StateError(`no trainable tensor '${feedName}' in this session.`);
    return pp.tensors[this.current];
  }
}

/**
 * Every parameter of the layout's graph, after refusing state names the graph does not have (host and
 * device state load through this one check).
 */
export function graphParams(
  layout: ParamLayout,
  params: ReadonlyMap<string, Float>,
): readonly (TrainableSpec | FrozenSpec)[] {
  const expected = [...layout.trainable, ...layout.frozen];
  const known = new Set(expected.map((p) => p.name));
  const extra = [...params.keys()].filter((n) => !known.has(n));
  if (extra.length > 0) {
    throw new StateError(
      `unknown parameter '${extra[0]}' in the state; this graph has ${known.size} parameters (e.g. '${expected[0]!.name}'). Was it built for another model?`,
    );
  }
  return expected;
}

/**
 * Dropout keep masks as ORT tensors, refilled in place for each run. `stream` is the mask stream index:
 * the optimizer step for a single-graph session, step * k + micro index with k micro-batches per step.
 */
export class MaskFeeds {
  private readonly masks: DropoutMasks;
  // Weak: views dropped by DropoutMasks (after a larger batch) must not keep their old buffers alive.
  private readonly tensors = new WeakMap<FilledMask, ort.Tensor>();

  constructor(sites: readonly DropoutSiteInfo[], seed: number) {
    this.masks = new DropoutMasks(sites, seed);
  }

  /** Fills every site's mask for `stream` (dims from the batch's bindings) and adds them to `feeds`. */
  feed(feeds: Record<string, ort.Tensor>, stream: number, bindings: DimBindings): void {
    const masks = this.masks.fill(stream, (d, site) => resolveDim(d, bindings, `dropout mask of site '${site}'`));
    for (const [name, m] of masks) feeds[name] = this.tensor(m);
  }

  // Mask buffers are reused across runs, so their ORT wrappers are too.
  private tensor(m: FilledMask): ort.Tensor {
    let t = this.tensors.get(m);
    if (!t) {
      t = new ort.Tensor(m.dtype, m.data, m.dims);
      this.tensors.set(m, t);
    }
    return t;
  }
}

/** A zero-filled ORT tensor of a float dtype. */
export function newTensor(dtype: TrainingDType, shape: readonly number[]): ort.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return dtype === 'float32'
    ? new ort.Tensor('float32', new Float32Array(size), shape)
    : new ort.Tensor('float64', new Float64Array(size), shape);
}

function copy(t: ort.Tensor): Float {
  return (t.data as Float).slice();
}

function fill(t: ort.Tensor, data: Float, name: string): void {
  const target = t.data as Float;
  if (data.length !== target.length) {
    throw new StateError(
      `'${name}' has ${data.length} values but the graph expects ${target.length} ([${t.dims.join(', ')}]).`,
    );
  }
  target.set(data);
}

function fillOrZero(t: ort.Tensor, data: Float | undefined, name: string): void {
  if (data) fill(t, data, name);
  else (t.data as Float).fill(0);
}

/** The rank-0 step scalar inputs (lr, bias corrections), rewritten in place each step. */
export class StepScalarFeeds {
  private readonly lr: ort.Tensor;
  private readonly bc1: ort.Tensor;
  private readonly bc2: ort.Tensor;

  constructor(
    dtype: TrainingDType,
    private readonly names: { readonly lr: string; readonly biasCorrection1: string; readonly biasCorrection2: string },
  ) {
    this.lr = newTensor(dtype, []);
    this.bc1 = newTensor(dtype, []);
    this.bc2 = newTensor(dtype, []);
  }

  /** Sets the scalars for 0-based optimizer step `step` at learning rate `lr` and adds them to `feeds`. */
  feed(feeds: Record<string, ort.Tensor>, adamw: AdamWConfig, lr: number, step: number): void {
    const s = stepScalars(adamw, lr, step);
    this.lr.data[0] = s.lr;
    this.bc1.data[0] = s.biasCorrection1;
    this.bc2.data[0] = s.biasCorrection2;
    feeds[this.names.lr] = this.lr;
    feeds[this.names.biasCorrection1] = this.bc1;
    feeds[this.names.biasCorrection2] = this.bc2;
  }
}
