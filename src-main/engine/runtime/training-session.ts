import * as ort from 'onnxruntime-node';
import { DropoutMasks, type FilledMask } from '../dropout';
import { type AdamWConfig, type LrSchedule, learningRate, stateNames, stepScalars } from '../optim';
import type { TrainingGraphLayout } from '../train-step';
import { StateError } from './errors';
import type { DimBindings, InputSpec } from './feeds';
import { checkFeeds, resolveDim } from './feeds';
import type { DeviceReport, SessionOptions } from './session';
import { deviceReport, fromOrt, inputSpecs, openSession, runChecked, toOrt } from './session';
import type { HostTensor } from './tensor';

type Float = Float32Array | Float64Array;

/** Parameters and AdamW moments at a step: what a checkpoint stores and a resume loads. */
export interface TrainingState {
  /** Number of optimizer steps taken so far (the next step uses this index for lr and masks). */
  readonly step: number;
  readonly params: ReadonlyMap<string, Float>;
  readonly m: ReadonlyMap<string, Float>;
  readonly v: ReadonlyMap<string, Float>;
}

export interface TrainingSessionInit extends SessionOptions {
  readonly bytes: Uint8Array;
  readonly layout: TrainingGraphLayout;
  readonly adamw: AdamWConfig;
  readonly schedule: LrSchedule;
  /** Initial values of every trainable and frozen parameter (copied in). */
  readonly params: ReadonlyMap<string, Float>;
  /** Seed for dropout masks (with the step and site name; nothing else is random in a step). */
  readonly seed: number;
}

/** The outcome of one optimizer step. */
export interface StepResult {
  /** The 0-based index of the step just taken. */
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Extra forward outputs (views valid until the next step). */
  readonly outputs: Readonly<Record<string, HostTensor>>;
  /**
   * False when the loss or the gradient norm was not finite: the update was then discarded (parameters,
   * moments and the step counter are unchanged), so a diverging batch cannot poison the weights.
   */
  readonly applied: boolean;
  /** Host time preparing feeds (dropout masks, checks) and time inside session.run, in ms. */
  readonly timing: { readonly prepareMs: number; readonly runMs: number };
}

// Two buffers per trainable tensor: the step reads one set and writes the other, then they swap.
interface PingPong {
  readonly feedName: string;
  readonly outName: string;
  readonly tensors: readonly [ort.Tensor, ort.Tensor];
}

/**
 * Runs training steps of a graph from buildTrainingGraph. Parameters, AdamW moments and step scalars live in
 * preallocated ORT tensors; outputs are written into the idle half of ping-pong buffers (the Node binding
 * honours preallocated fetches), so a step allocates no parameter-sized memory in JS.
 */
export class TrainingSession {
  private current = 0;
  private stepIndex = 0;
  private readonly masks: DropoutMasks;
  // Weak: views dropped by DropoutMasks (after a larger batch) must not keep their old buffers alive.
  private readonly maskTensors = new WeakMap<FilledMask, ort.Tensor>();
  private readonly scalars: { readonly lr: ort.Tensor; readonly bc1: ort.Tensor; readonly bc2: ort.Tensor };
  private readonly loss: ort.Tensor;
  private readonly gradNorm: ort.Tensor;
  private readonly batchSpecs: readonly InputSpec[];
  private checkedAll = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly device: DeviceReport,
    readonly layout: TrainingGraphLayout,
    private readonly adamw: AdamWConfig,
    private readonly schedule: LrSchedule,
    private readonly pingPong: readonly PingPong[],
    private readonly frozen: ReadonlyMap<string, ort.Tensor>,
    seed: number,
  ) {
    const scalar = (): ort.Tensor => newTensor(layout.dtype, []);
    this.scalars = { lr: scalar(), bc1: scalar(), bc2: scalar() };
    this.loss = scalar();
    this.gradNorm = scalar();
    this.masks = new DropoutMasks(layout.dropout, seed);
    const batchNames = new Set(layout.batchInputs.map((b) => b.name));
    this.batchSpecs = inputSpecs(session).filter((s) => batchNames.has(s.name));
  }

  /** Loads the graph on the device and copies the initial parameters in (zero AdamW moments). */
  static async create(init: TrainingSessionInit): Promise<TrainingSession> {
    const device = init.device ?? 'cpu';
    const session = await openSession(init.bytes, device, init);
    const { layout } = init;
    const pingPong: PingPong[] = [];
    for (const p of layout.trainable) {
      const names = stateNames(p.name);
      for (const [feedName, outName] of [
        [p.name, names.newParam],
        [names.m, names.newM],
        [names.v, names.newV],
      ] as const) {
        pingPong.push({
          feedName,
          outName,
          tensors: [newTensor(layout.dtype, p.shape), newTensor(layout.dtype, p.shape)],
        });
      }
    }
    const frozen = new Map(layout.frozen.map((p) => [p.name, newTensor(layout.dtype, p.shape)]));
    const report = deviceReport(device, init.threads);
    const ts = new TrainingSession(session, report, layout, init.adamw, init.schedule, pingPong, frozen, init.seed);
    ts.loadState({ step: 0, params: init.params, m: new Map(), v: new Map() });
    return ts;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.stepIndex;
  }

  /**
   * Runs one optimizer step on a batch (the forward's own inputs, checked against the graph) and swaps the
   * updated parameters and moments in. `lr` overrides the schedule for this step.
   */
  async trainStep(
    batch: Readonly<Record<string, HostTensor>>,
    options: { readonly lr?: number } = {},
  ): Promise<StepResult> {
    const t0 = performance.now();
    const bindings = checkFeeds(this.batchSpecs, batch);
    const step = this.stepIndex;
    const lr = options.lr ?? learningRate(this.schedule, step);
    const s = stepScalars(this.adamw, lr, step);
    this.scalars.lr.data[0] = s.lr;
    this.scalars.bc1.data[0] = s.biasCorrection1;
    this.scalars.bc2.data[0] = s.biasCorrection2;
    const feeds = this.feeds(batch, step, bindings);
    if (!this.checkedAll) {
      checkFeeds(inputSpecs(this.session), feeds);
      this.checkedAll = true;
    }
    const next = 1 - this.current;
    const fetches: Record<string, ort.Tensor | null> = {
      [this.layout.lossOutput]: this.loss,
      [this.layout.gradNormOutput]: this.gradNorm,
    };
    for (const pp of this.pingPong) fetches[pp.outName] = pp.tensors[next];
    for (const name of this.layout.extraOutputs) fetches[name] = null;
    const t1 = performance.now();
    const result = await runChecked(this.session, feeds, fetches);
    const runMs = performance.now() - t1;
    const loss = Number(this.loss.data[0]);
    const gradNorm = Number(this.gradNorm.data[0]);
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      this.current = next;
      this.stepIndex = step + 1;
    }
    const outputs: Record<string, HostTensor> = {};
    for (const name of this.layout.extraOutputs) outputs[name] = fromOrt(result[name]!);
    const timing = { prepareMs: t1 - t0, runMs };
    return { step, lr, loss, gradNorm, applied, outputs, timing };
  }

  /** Copies of the current parameters, moments and step (for checkpoints). */
  getState(): TrainingState {
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
    return { step: this.stepIndex, params, m, v };
  }

  /** Copies of the current parameter values only (trainable and frozen). */
  getParameters(): ReadonlyMap<string, Float> {
    return this.getState().params;
  }

  /**
   * The current parameters as host-tensor views, without copying (e.g. to feed an eval session). They are
   * only valid until the next trainStep or loadState: copy them (getParameters) to keep them.
   */
  parameterViews(): ReadonlyMap<string, HostTensor> {
    const views = new Map<string, HostTensor>();
    for (const p of this.layout.trainable) views.set(p.name, fromOrt(this.currentTensor(p.name)));
    for (const [name, t] of this.frozen) views.set(name, fromOrt(t));
    return views;
  }

  /** Loads parameters (all required), moments (missing ones start at zero) and the step counter. */
  loadState(state: TrainingState): void {
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new StateError(`step must be a non-negative integer, got ${state.step}.`);
    const expected = [...this.layout.trainable, ...this.layout.frozen];
    const known = new Set(expected.map((p) => p.name));
    const extra = [...state.params.keys()].filter((n) => !known.has(n));
    if (extra.length > 0) {
      throw new StateError(
        `unknown parameter '${extra[0]}' in the state; this graph has ${known.size} parameters (e.g. '${expected[0]!.name}'). Was it built for another model?`,
      );
    }
    for (const p of expected) {
      const data = state.params.get(p.name);
      if (!data)
        throw new StateError(
          `parameter '${p.name}' is missing from the state; every trainable and frozen parameter needs a value.`,
        );
      const target = this.frozen.get(p.name) ?? this.currentTensor(p.name);
      fill(target, data, p.name);
    }
    for (const p of this.layout.trainable) {
      const names = stateNames(p.name);
      fillOrZero(this.currentTensor(names.m), state.m.get(p.name), names.m);
      fillOrZero(this.currentTensor(names.v), state.v.get(p.name), names.v);
    }
    this.stepIndex = state.step;
  }

  /** Ends ORT profiling (the profile file is written when profiling was enabled). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  /** Frees the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  private currentTensor(feedName: string): ort.Tensor {
    const pp = this.pingPong.find((p) => p.feedName === feedName);
    if (!pp) throw new StateError(`no trainable tensor '${feedName}' in this session.`);
    return pp.tensors[this.current];
  }

  private feeds(
    batch: Readonly<Record<string, HostTensor>>,
    step: number,
    bindings: DimBindings,
  ): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(batch)) feeds[name] = toOrt(t);
    for (const pp of this.pingPong) feeds[pp.feedName] = pp.tensors[this.current];
    for (const [name, t] of this.frozen) feeds[name] = t;
    feeds[this.layout.scalarInputs.lr] = this.scalars.lr;
    feeds[this.layout.scalarInputs.biasCorrection1] = this.scalars.bc1;
    feeds[this.layout.scalarInputs.biasCorrection2] = this.scalars.bc2;
    const masks = this.masks.fill(step, (d, site) => resolveDim(d, bindings, `dropout mask of site '${site}'`));
    for (const [name, m] of masks) feeds[name] = this.maskTensor(m);
    return feeds;
  }

  // Mask buffers are reused across steps, so their ORT wrappers are too.
  private maskTensor(m: FilledMask): ort.Tensor {
    let t = this.maskTensors.get(m);
    if (!t) {
      t = new ort.Tensor(m.dtype, m.data, m.dims);
      this.maskTensors.set(m, t);
    }
    return t;
  }
}

function newTensor(dtype: 'float32' | 'float64', shape: readonly number[]): ort.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return dtype === 'float32'
    ? new ort.Tensor('float32', new Float32Array(size), shape)
    : new ort.Tensor('float64', new Float64Array(size), shape);
}

function copy(t: ort.Tensor): Float {
  const data = t.data as Float;
  return data.slice();
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
