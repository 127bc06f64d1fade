import type * as ort from 'onnxruntime-node';
import { type AdamWConfig, type LrSchedule, learningRate } from '../optim';
import type { TrainingGraphLayout } from '../train-step';
import type { DimBindings, InputSpec } from './feeds';
import { checkFeeds } from './feeds';
import { type Float, MaskFeeds, newTensor, ParamBuffers, StepScalarFeeds, type TrainingState } from './param-buffers';
import type { DeviceReport, SessionOptions } from './session';
import { deviceReport, fromOrt, inputSpecs, openSession, runChecked, toOrt } from './session';
import type { HostTensor } from './tensor';

export type { TrainingState };

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

/**
 * Runs training steps of a graph from buildTrainingGraph. Parameters, AdamW moments and step scalars live in
 * preallocated ORT tensors; outputs are written into the idle half of ping-pong buffers (the Node binding
 * honours preallocated fetches), so a step allocates no parameter-sized memory in JS.
 */
export class TrainingSession {
  private stepIndex = 0;
  private readonly buffers: ParamBuffers;
  private readonly masks: MaskFeeds;
  private readonly scalars: StepScalarFeeds;
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
    seed: number,
  ) {
    this.buffers = new ParamBuffers(layout);
    this.scalars = new StepScalarFeeds(layout.dtype, layout.scalarInputs);
    this.loss = newTensor(layout.dtype, []);
    this.gradNorm = newTensor(layout.dtype, []);
    this.masks = new MaskFeeds(layout.dropout, seed);
    const batchNames = new Set(layout.batchInputs.map((b) => b.name));
    this.batchSpecs = inputSpecs(session).filter((s) => batchNames.has(s.name));
  }

  /** Loads the graph on the device and copies the initial parameters in (zero AdamW moments). */
  static async create(init: TrainingSessionInit): Promise<TrainingSession> {
    const device = init.device ?? 'cpu';
    const session = await openSession(init.bytes, device, init);
    const report = deviceReport(device, init.threads);
    const ts = new TrainingSession(session, report, init.layout, init.adamw, init.schedule, init.seed);
    if (init.adoptParams) ts.buffers.adopt(init.params);
    else ts.loadState({ step: 0, params: init.params, m: new Map(), v: new Map() });
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
    const feeds = this.feeds(batch, step, lr, bindings);
    if (!this.checkedAll) {
      checkFeeds(inputSpecs(this.session), feeds);
      this.checkedAll = true;
    }
    const fetches: Record<string, ort.Tensor | null> = {
      [this.layout.lossOutput]: this.loss,
      [this.layout.gradNormOutput]: this.gradNorm,
    };
    this.buffers.fetchNext(fetches);
    for (const name of this.layout.extraOutputs) fetches[name] = null;
    const t1 = performance.now();
    const result = await runChecked(this.session, feeds, fetches);
    const runMs = performance.now() - t1;
    const loss = Number(this.loss.data[0]);
    const gradNorm = Number(this.gradNorm.data[0]);
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      this.buffers.swap();
      this.stepIndex = step + 1;
    }
    const outputs: Record<string, HostTensor> = {};
    for (const name of this.layout.extraOutputs) outputs[name] = fromOrt(result[name]!);
    const timing = { prepareMs: t1 - t0, runMs };
    return { step, lr, loss, gradNorm, applied, outputs, timing };
  }

  /** Copies of the current parameters, moments and step (for checkpoints). */
  getState(): TrainingState {
    return this.buffers.getState(this.stepIndex);
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
    return this.buffers.parameterViews();
  }

  /** Loads parameters (all required), moments (missing ones start at zero) and the step counter. */
  loadState(state: TrainingState): void {
    this.buffers.load(state);
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

  private feeds(
    batch: Readonly<Record<string, HostTensor>>,
    step: number,
    lr: number,
    bindings: DimBindings,
  ): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(batch)) feeds[name] = toOrt(t);
    this.buffers.feedCurrent(feeds, { moments: true, frozen: true });
    this.scalars.feed(feeds, this.adamw, lr, step);
    this.masks.feed(feeds, step, bindings);
    return feeds;
  }
}
