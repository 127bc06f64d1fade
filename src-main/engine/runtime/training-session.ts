import type * as ort from 'onnxruntime-node';
import { type AdamWConfig, type LrSchedule, learningRate } from '../optim';
import type { TrainingGraphLayout } from '../step-graph';
import { DeviceParamState, stateOutputNames } from './device-params';
import { DeviceTensors, onDevice, tensorBytes, type TrafficCounter } from './device-tensors';
import { StateError } from './errors';
import { LazyRowFeeds } from './lazy-rows';
import { ResidentSession, type Residency } from './resident-session';
import type { DimBindings, InputSpec } from './feeds';
import { checkFeeds } from './feeds';
import { type Float, MaskFeeds, newTensor, ParamBuffers, StepScalarFeeds, type TrainingState } from './param-buffers';
import type { Device, DeviceReport, SessionOptions } from './session';
import { deviceReport, fromOrt, inputSpecs, openSession, runChecked, toOrt } from './session';
import type { HostTensor } from './tensor';

export type { Residency, TrainingState };

/** The residency a device gets by default: WebGPU keeps state on the GPU; other EPs cannot (1.30 binding). */
export function defaultResidency(device: Device): Residency {
  return device === 'webgpu' ? 'device' : 'host';
}

export interface TrainingSessionInit extends SessionOptions {
  readonly bytes: Uint8Array;
  readonly layout: TrainingGraphLayout;
  readonly adamw: AdamWConfig;
  readonly schedule: LrSchedule;
  /** Initial values of every trainable and frozen parameter (copied in, unless adoptParams). */
  readonly params: ReadonlyMap<string, Float>;
  /**
   * Use the `params` arrays themselves as the first parameter buffers (no copy: the weights are held once,
   * about 90 MB less for MiniLM). The caller must not read them afterwards: training overwrites them.
   */
  readonly adoptParams?: boolean;
  /** Seed for dropout masks (with the step and site name; nothing else is random in a step). */
  readonly seed: number;
  /** Defaults to defaultResidency(device). */
  readonly residency?: Residency;
}

/** Bytes one step moved between host and device (0 and 0 on the CPU EP, where there is no device). */
export interface StepTransfer {
  readonly hostToDeviceBytes: number;
  readonly deviceToHostBytes: number;
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
  readonly transfer: StepTransfer;
}

type State =
  | { readonly kind: 'host'; readonly buffers: ParamBuffers; readonly loss: ort.Tensor; readonly gradNorm: ort.Tensor }
  | { readonly kind: 'device'; readonly params: DeviceParamState; readonly tensors: DeviceTensors };

/**
 * Runs training steps of a graph from buildTrainingGraph. On the host, parameters, AdamW moments and step
 * scalars live in preallocated ORT tensors that each step's outputs are written into (the Node binding
 * honours preallocated CPU fetches). On WebGPU they stay on the device (DeviceParamState).
 */
export class TrainingSession extends ResidentSession<State> {
  private readonly masks: MaskFeeds;
  private readonly scalars: StepScalarFeeds;
  private readonly lazyRows: LazyRowFeeds;
  private readonly batchSpecs: readonly InputSpec[];
  private checkedAll = false;
  /** Host<->device bytes, cumulative over the session (uploads of the initial state included). */
  readonly traffic: TrafficCounter;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly device: DeviceReport,
    readonly layout: TrainingGraphLayout,
    private readonly adamw: AdamWConfig,
    private readonly schedule: LrSchedule,
    seed: number,
    state: State,
  ) {
    super(state);
    this.scalars = new StepScalarFeeds(layout.dtype, layout.scalarInputs);
    this.masks = new MaskFeeds(layout.dropout, seed);
    this.lazyRows = new LazyRowFeeds(layout.lazyRows ?? []);
    const batchNames = new Set(layout.batchInputs.map((b) => b.name));
    this.batchSpecs = inputSpecs(session).filter((s) => batchNames.has(s.name));
    this.traffic = state.kind === 'device' ? state.tensors.traffic : { hostToDevice: 0, deviceToHost: 0 };
  }

  /** Loads the graph on the device and puts the initial parameters in (zero AdamW moments). */
  static async create(init: TrainingSessionInit): Promise<TrainingSession> {
    const device = init.device ?? 'cpu';
    const residency = init.residency ?? defaultResidency(device);
    if (residency === 'device' && device !== 'webgpu') {
      throw new StateError(`device-resident training needs WebGPU; '${device}' keeps state on the host.`);
    }
    const report = deviceReport(device, init.threads);
    if (residency === 'host') {
      const session = await openSession(init.bytes, device, init);
      const state: State = {
        kind: 'host',
        buffers: new ParamBuffers(init.layout),
        loss: newTensor(init.layout.dtype, []),
        gradNorm: newTensor(init.layout.dtype, []),
      };
      const ts = new TrainingSession(session, report, init.layout, init.adamw, init.schedule, init.seed, state);
      if (init.adoptParams) state.buffers.adopt(init.params);
      else await ts.loadState({ step: 0, params: init.params, m: new Map(), v: new Map() });
      return ts;
    }
    const session = await openSession(init.bytes, device, {
      ...init,
      preferredOutputLocation: outputLocations(init.layout),
    });
    const tensors = new DeviceTensors(device, init.threads !== undefined ? { threads: init.threads } : {});
    const state: State = { kind: 'device', params: new DeviceParamState(init.layout, tensors), tensors };
    const ts = new TrainingSession(session, report, init.layout, init.adamw, init.schedule, init.seed, state);
    try {
      await ts.loadState({ step: 0, params: init.params, m: new Map(), v: new Map() });
    } catch (e) {
      await ts.release();
      throw e;
    }
    return ts;
  }

  /**
   * Runs one optimizer step on a batch (the forward's own inputs, checked against the graph) and takes the
   * updated parameters and moments. `lr` overrides the schedule for this step.
   */
  async trainStep(
    batch: Readonly<Record<string, HostTensor>>,
    options: { readonly lr?: number } = {},
  ): Promise<StepResult> {
    const t0 = performance.now();
    const bindings = checkFeeds(this.batchSpecs, batch);
    const step = this.stepIndex;
    const lr = options.lr ?? learningRate(this.schedule, step);
    const before = { ...this.traffic };
    const counted = this.device.requested === 'cpu' ? undefined : this.traffic;
    const feeds = this.feeds(batch, step, lr, bindings, counted);
    if (!this.checkedAll) {
      checkFeeds(inputSpecs(this.session), feeds);
      this.checkedAll = true;
    }
    const t1 = performance.now();
    const { loss, gradNorm, outputs } =
      this.state.kind === 'host' ? await this.runOnHost(this.state, feeds, counted) : await this.runOnDevice(feeds);
    const runMs = performance.now() - t1;
    // The host-side backstop: WGSL lets drivers assume no NaN, so the graph's own guard may not be enough.
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) this.stepIndex = step + 1;
    const timing = { prepareMs: t1 - t0, runMs };
    const transfer = {
      hostToDeviceBytes: this.traffic.hostToDevice - before.hostToDevice,
      deviceToHostBytes: this.traffic.deviceToHost - before.deviceToHost,
    };
    return { step, lr, loss, gradNorm, applied, outputs, timing, transfer };
  }

  /** Ends ORT profiling (the profile file is written when profiling was enabled). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  /** Frees the device state (if any) and the native session. */
  async release(): Promise<void> {
    await this.releaseState();
    await this.session.release();
  }

  private async runOnHost(
    state: Extract<State, { kind: 'host' }>,
    feeds: Record<string, ort.Tensor>,
    traffic: TrafficCounter | undefined,
  ): Promise<{ loss: number; gradNorm: number; outputs: Record<string, HostTensor> }> {
    const fetches: Record<string, ort.Tensor | null> = {
      [this.layout.lossOutput]: state.loss,
      [this.layout.gradNormOutput]: state.gradNorm,
    };
    state.buffers.fetchNext(fetches);
    for (const name of this.layout.extraOutputs) fetches[name] = null;
    const result = await runChecked(this.session, feeds, fetches);
    if (traffic) for (const t of Object.values(result)) traffic.deviceToHost += tensorBytes(t);
    const loss = Number(state.loss.data[0]);
    const gradNorm = Number(state.gradNorm.data[0]);
    if (Number.isFinite(loss) && Number.isFinite(gradNorm)) state.buffers.swap();
    const outputs: Record<string, HostTensor> = {};
    for (const name of this.layout.extraOutputs) outputs[name] = fromOrt(result[name]!);
    return { loss, gradNorm, outputs };
  }

  // Every output is fetched (a subset fetch matches locations by position: a trap, see DESIGN.md).
  private async runOnDevice(
    feeds: Record<string, ort.Tensor>,
  ): Promise<{ loss: number; gradNorm: number; outputs: Record<string, HostTensor> }> {
    const state = this.state as Extract<State, { kind: 'device' }>;
    const result = await runChecked(this.session, feeds);
    const stateOutputs = new Set(stateOutputNames(this.layout));
    const outputs: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(result)) {
      if (stateOutputs.has(name)) continue;
      state.tensors.traffic.deviceToHost += tensorBytes(t);
      if (this.layout.extraOutputs.includes(name)) outputs[name] = fromOrt(t);
    }
    const loss = Number(result[this.layout.lossOutput]!.data[0]);
    const gradNorm = Number(result[this.layout.gradNormOutput]!.data[0]);
    state.params.commit(result, Number.isFinite(loss) && Number.isFinite(gradNorm));
    return { loss, gradNorm, outputs };
  }

  private feeds(
    batch: Readonly<Record<string, HostTensor>>,
    step: number,
    lr: number,
    bindings: DimBindings,
    traffic: TrafficCounter | undefined,
  ): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(batch)) feeds[name] = toOrt(t);
    if (this.state.kind === 'host') this.state.buffers.feedCurrent(feeds, { moments: true, frozen: true });
    else this.state.params.feedCurrent(feeds, { moments: true, frozen: true });
    this.scalars.feed(feeds, this.adamw, lr, step);
    this.masks.feed(feeds, step, bindings);
    this.lazyRows.feed(feeds, batch, toOrt);
    // What goes up: every feed with host-resident state; everything but the state when it lives on the device.
    if (traffic) {
      for (const t of Object.values(feeds)) if (!onDevice(t)) traffic.hostToDevice += tensorBytes(t);
    }
    return feeds;
  }
}

/** State outputs on the device; losses, grad norm and extra outputs on the host. */
export function outputLocations(layout: TrainingGraphLayout): Record<string, 'cpu' | 'gpu-buffer'> {
  const locations: Record<string, 'cpu' | 'gpu-buffer'> = {};
  for (const name of stateOutputNames(layout)) locations[name] = 'gpu-buffer';
  for (const name of [layout.lossOutput, layout.gradNormOutput, ...layout.extraOutputs]) locations[name] = 'cpu';
  return locations;
}
