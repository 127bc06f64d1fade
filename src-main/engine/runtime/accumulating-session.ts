import type * as ort from 'onnxruntime-node';
import { type AdamWConfig, type LrSchedule, learningRate } from '../optim';
import { type AccumulationLayout, gradAccNames } from '../step-graph';
import {
  type AccumulationState as State,
  deviceState,
  gradientLocations,
  hostState,
  updateLocations,
} from './accumulation-state';
import { onDevice, tensorBytes, type TrafficCounter } from './device-tensors';
import { StateError } from './errors';
import type { InputSpec } from './feeds';
import { checkFeeds } from './feeds';
import { type Float, MaskFeeds, newTensor, StepScalarFeeds } from './param-buffers';
import type { DeviceReport, SessionOptions } from './session';
import { deviceReport, fromOrt, inputSpecs, openSession, runChecked, toOrt } from './session';
import type { HostTensor } from './tensor';
import { ResidentSession, type Residency } from './resident-session';
import { defaultResidency, type StepResult } from './training-session';

export interface AccumulatingSessionInit extends SessionOptions {
  /** The two graphs of buildAccumulationGraphs. */
  readonly gradientBytes: Uint8Array;
  readonly updateBytes: Uint8Array;
  readonly layout: AccumulationLayout;
  readonly adamw: AdamWConfig;
  readonly schedule: LrSchedule;
  /**
   * Micro-batches per optimizer step (k). A step may take fewer (an epoch's last), never more: the dropout
   * stream of micro-batch i of step s is s * k + i, so k must stay fixed for a run to resume exactly.
   */
  readonly microBatches: number;
  /** Initial values of every trainable and frozen parameter (copied in, unless adoptParams). */
  readonly params: ReadonlyMap<string, Float>;
  /** As TrainingSessionInit.adoptParams: the params arrays become the first buffers (no copy). */
  readonly adoptParams?: boolean;
  readonly seed: number;
  /** Defaults to defaultResidency(device). */
  readonly residency?: Residency;
}

/** What one micro-batch's gradient pass gave. */
export interface MicroResult {
  /** Its own (unscaled) loss. */
  readonly loss: number;
  /** Extra forward outputs (fresh tensors, not reused by later runs). */
  readonly outputs: Readonly<Record<string, HostTensor>>;
}

/** The outcome of one accumulated optimizer step. */
export interface AccumulatedStepResult extends Omit<StepResult, 'outputs'> {
  /** Mean of the micro-batch losses: each counts 1/n in the step's gradient. */
  readonly loss: number;
  /** Global norm of the averaged gradient before clipping; NaN when a loss was not finite (no update ran). */
  readonly gradNorm: number;
  /** One entry per micro-batch, in order. */
  readonly micro: readonly MicroResult[];
}

type Batch = Readonly<Record<string, HostTensor>>;
type Timing = { prepareMs: number; runMs: number };

/**
 * Runs optimizer steps with gradient accumulation: the gradient graph once per micro-batch (adding loss/n
 * gradients into accumulators), then the update graph once (clip + AdamW on the sum). Parameters, moments,
 * residency, checkpoints and the step counter (optimizer steps) behave as in TrainingSession.
 */
export class AccumulatingSession extends ResidentSession<State> {
  private readonly masks: MaskFeeds;
  private readonly scalars: StepScalarFeeds;
  private readonly scale: ort.Tensor;
  private readonly loss: ort.Tensor;
  private readonly gradNorm: ort.Tensor;
  private readonly batchSpecs: readonly InputSpec[];
  private checked = { gradient: false, update: false };
  readonly traffic: TrafficCounter;

  private constructor(
    private readonly gradient: ort.InferenceSession,
    private readonly update: ort.InferenceSession,
    readonly device: DeviceReport,
    readonly layout: AccumulationLayout,
    private readonly adamw: AdamWConfig,
    private readonly schedule: LrSchedule,
    readonly microBatches: number,
    seed: number,
    state: State,
  ) {
    super(state);
    this.masks = new MaskFeeds(layout.dropout, seed);
    this.scalars = new StepScalarFeeds(layout.dtype, layout.scalarInputs);
    this.scale = newTensor(layout.dtype, []);
    this.loss = newTensor(layout.dtype, []);
    this.gradNorm = newTensor(layout.dtype, []);
    const batchNames = new Set(layout.batchInputs.map((b) => b.name));
    this.batchSpecs = inputSpecs(gradient).filter((s) => batchNames.has(s.name));
    this.traffic = state.kind === 'device' ? state.tensors.traffic : { hostToDevice: 0, deviceToHost: 0 };
  }

  /** Loads both graphs on the device and puts the initial parameters in (zero AdamW moments). */
  static async create(init: AccumulatingSessionInit): Promise<AccumulatingSession> {
    if (!Number.isInteger(init.microBatches) || init.microBatches < 1) {
      throw new StateError(`microBatches must be an integer >= 1, got ${init.microBatches}.`);
    }
    const device = init.device ?? 'cpu';
    const residency = init.residency ?? defaultResidency(device);
    if (residency === 'device' && device !== 'webgpu') {
      throw new StateError(`device-resident training needs WebGPU; '${device}' keeps state on the host.`);
    }
    const onDeviceState = residency === 'device';
    const gradient = await openSession(init.gradientBytes, device, {
      ...init,
      ...(onDeviceState && { preferredOutputLocation: gradientLocations(init.layout) }),
    });
    // No CPU arena for the update: a second arena would keep its parameter-sized temporaries reserved beside
    // the gradient session's (measured, MiniLM B16 x 2: peak RSS 2316 -> 2027 MiB; the single B16 graph: 1908).
    const update = await openSession(init.updateBytes, device, {
      ...init,
      memArena: false,
      ...(onDeviceState && { preferredOutputLocation: updateLocations(init.layout) }),
    }).catch(async (e: unknown) => {
      await gradient.release();
      throw e;
    });
    const report = deviceReport(device, init.threads);
    const state = onDeviceState ? await deviceState(init.layout, device, init.threads) : hostState(init.layout);
    const s = new AccumulatingSession(
      gradient,
      update,
      report,
      init.layout,
      init.adamw,
      init.schedule,
      init.microBatches,
      init.seed,
      state,
    );
    if (init.adoptParams && state.kind === 'host') state.buffers.adopt(init.params);
    else await s.loadState({ step: 0, params: init.params, m: new Map(), v: new Map() });
    return s;
  }

  /**
   * One optimizer step over 1..k micro-batches (each checked against the graph; shapes may differ): their
   * gradients are averaged, clipped and applied once. `lr` overrides the schedule for this step. A step with a
   * non-finite loss or gradient norm is discarded (applied: false; parameters, moments and step unchanged).
   */
  async trainStep(batches: readonly Batch[], options: { readonly lr?: number } = {}): Promise<AccumulatedStepResult> {
    const n = batches.length;
    if (n < 1 || n > this.microBatches) {
      throw new StateError(
        `trainStep got ${n} micro-batches; this session takes 1..${this.microBatches} per optimizer step.`,
      );
    }
    const step = this.stepIndex;
    const lr = options.lr ?? learningRate(this.schedule, step);
    const timing: Timing = { prepareMs: 0, runMs: 0 };
    const before = { ...this.traffic };
    this.scale.data[0] = 1 / n;
    let acc: Map<string, ort.Tensor> | null = this.state.kind === 'device' ? new Map(this.state.zeros) : null;
    if (this.state.kind === 'host') for (const a of this.state.acc) (a.tensors[0].data as Float).fill(0);
    const micro: MicroResult[] = [];
    for (let i = 0; i < n; i++) {
      const pass = await this.gradientPass(batches[i]!, step, i, timing, acc);
      micro.push(pass.result);
      acc = pass.acc;
    }
    const loss = micro.reduce((s, m) => s + m.loss, 0) / n;
    let gradNorm = Number.NaN;
    if (Number.isFinite(loss)) gradNorm = await this.updatePass(step, lr, n % 2, timing, acc);
    if (acc && this.state.kind === 'device') this.releaseAcc(acc);
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      if (this.state.kind === 'host') this.state.buffers.swap();
      this.stepIndex = step + 1;
    }
    const transfer = {
      hostToDeviceBytes: this.traffic.hostToDevice - before.hostToDevice,
      deviceToHostBytes: this.traffic.deviceToHost - before.deviceToHost,
    };
    return { step, lr, loss, gradNorm, applied, micro, timing, transfer };
  }

  /** Ends ORT profiling of both sessions. */
  endProfiling(): void {
    this.gradient.endProfiling();
    this.update.endProfiling();
  }

  /** Frees the device state (if any) and both native sessions. */
  async release(): Promise<void> {
    await this.releaseState();
    await this.gradient.release();
    await this.update.release();
  }

  // Host: micro-batch i reads accumulator set i % 2 and writes the other. Device: reads `acc`, returns the new.
  private async gradientPass(
    batch: Batch,
    step: number,
    i: number,
    timing: Timing,
    acc: Map<string, ort.Tensor> | null,
  ): Promise<{ result: MicroResult; acc: Map<string, ort.Tensor> | null }> {
    const t0 = performance.now();
    const bindings = checkFeeds(this.batchSpecs, batch);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(batch)) feeds[name] = toOrt(t);
    feeds[this.layout.scaleInput] = this.scale;
    this.masks.feed(feeds, step * this.microBatches + i, bindings);
    const fetches: Record<string, ort.Tensor | null> = { [this.layout.lossOutput]: this.loss };
    if (this.state.kind === 'host') {
      this.state.buffers.feedCurrent(feeds, { moments: false, frozen: true });
      for (const a of this.state.acc) {
        const names = gradAccNames(a.name);
        feeds[names.acc] = a.tensors[i % 2];
        fetches[names.newAcc] = a.tensors[1 - (i % 2)];
      }
      for (const name of this.layout.extraOutputs) fetches[name] = null;
    } else {
      this.state.params.feedCurrent(feeds, { moments: false, frozen: true });
      for (const [name, t] of acc!) feeds[gradAccNames(name).acc] = t;
    }
    this.countUploads(feeds);
    if (!this.checked.gradient) {
      checkFeeds(inputSpecs(this.gradient), feeds);
      this.checked.gradient = true;
    }
    const t1 = performance.now();
    // On the device every output is fetched (subset fetches match locations by position: DESIGN.md).
    const result = await runChecked(this.gradient, feeds, this.state.kind === 'host' ? fetches : undefined);
    timing.prepareMs += t1 - t0;
    timing.runMs += performance.now() - t1;
    const outputs: Record<string, HostTensor> = {};
    for (const name of this.layout.extraOutputs) outputs[name] = fromOrt(result[name]!);
    if (this.state.kind === 'host') {
      this.countDownloads(result);
      return { result: { loss: Number(this.loss.data[0]), outputs }, acc: null };
    }
    const next = new Map<string, ort.Tensor>();
    for (const t of Object.values(result)) if (!onDevice(t)) this.traffic.deviceToHost += tensorBytes(t);
    for (const p of this.layout.trainable)
      next.set(p.name, this.state.tensors.own(result[gradAccNames(p.name).newAcc]!));
    this.releaseAcc(acc!);
    return { result: { loss: Number(result[this.layout.lossOutput]!.data[0]), outputs }, acc: next };
  }

  /** Clip + AdamW on the accumulated gradients; takes the new state; returns the grad norm. */
  private async updatePass(
    step: number,
    lr: number,
    accSet: number,
    timing: Timing,
    acc: Map<string, ort.Tensor> | null,
  ): Promise<number> {
    const t0 = performance.now();
    const feeds: Record<string, ort.Tensor> = {};
    this.scalars.feed(feeds, this.adamw, lr, step);
    const fetches: Record<string, ort.Tensor | null> = { [this.layout.gradNormOutput]: this.gradNorm };
    if (this.state.kind === 'host') {
      this.state.buffers.feedCurrent(feeds, { moments: true, frozen: false });
      for (const a of this.state.acc) feeds[gradAccNames(a.name).acc] = a.tensors[accSet];
      this.state.buffers.fetchNext(fetches);
    } else {
      this.state.params.feedCurrent(feeds, { moments: true, frozen: false });
      for (const [name, t] of acc!) feeds[gradAccNames(name).acc] = t;
    }
    this.countUploads(feeds);
    if (!this.checked.update) {
      checkFeeds(inputSpecs(this.update), feeds);
      this.checked.update = true;
    }
    const t1 = performance.now();
    const result = await runChecked(this.update, feeds, this.state.kind === 'host' ? fetches : undefined);
    timing.prepareMs += t1 - t0;
    timing.runMs += performance.now() - t1;
    if (this.state.kind === 'host') {
      this.countDownloads(result);
      return Number(this.gradNorm.data[0]);
    }
    const gradNorm = Number(result[this.layout.gradNormOutput]!.data[0]);
    this.traffic.deviceToHost += tensorBytes(result[this.layout.gradNormOutput]!);
    this.state.params.commit(result, Number.isFinite(gradNorm));
    return gradNorm;
  }

  // The zero set stays for the next step; every other accumulator tensor is released once used.
  private releaseAcc(acc: ReadonlyMap<string, ort.Tensor>): void {
    if (this.state.kind !== 'device') return;
    for (const [name, t] of acc) if (this.state.zeros.get(name) !== t) this.state.tensors.release(t);
  }

  private countUploads(feeds: Readonly<Record<string, ort.Tensor>>): void {
    if (this.device.requested === 'cpu') return;
    for (const t of Object.values(feeds)) if (!onDevice(t)) this.traffic.hostToDevice += tensorBytes(t);
  }

  private countDownloads(result: Readonly<Record<string, ort.Tensor>>): void {
    if (this.device.requested === 'cpu') return;
    for (const t of Object.values(result)) this.traffic.deviceToHost += tensorBytes(t);
  }
}
