import type * as ort from 'onnxruntime-node';
import { type AdamWConfig, type LrSchedule, learningRate } from '../optim';
import { type AccumulationLayout, gradAccNames } from '../train-step';
import { StateError } from './errors';
import type { InputSpec } from './feeds';
import { checkFeeds } from './feeds';
import { type Float, MaskFeeds, newTensor, ParamBuffers, StepScalarFeeds, type TrainingState } from './param-buffers';
import type { DeviceReport, SessionOptions } from './session';
import { deviceReport, fromOrt, inputSpecs, openSession, runChecked, toOrt } from './session';
import type { HostTensor } from './tensor';
import type { StepResult } from './training-session';

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

/**
 * Runs optimizer steps with gradient accumulation: the gradient graph once per micro-batch (adding
 * loss/n gradients into preallocated accumulators, ping-ponged because an output cannot alias its input),
 * then the update graph once (clip + AdamW on the sum). Parameters, moments, checkpoints and the step
 * counter (optimizer steps) behave as in TrainingSession.
 */
export class AccumulatingSession {
  private stepIndex = 0;
  private readonly buffers: ParamBuffers;
  private readonly masks: MaskFeeds;
  private readonly scalars: StepScalarFeeds;
  private readonly acc: readonly { readonly name: string; readonly tensors: readonly [ort.Tensor, ort.Tensor] }[];
  private readonly scale: ort.Tensor;
  private readonly loss: ort.Tensor;
  private readonly gradNorm: ort.Tensor;
  private readonly batchSpecs: readonly InputSpec[];
  private checked = { gradient: false, update: false };

  private constructor(
    private readonly gradient: ort.InferenceSession,
    private readonly update: ort.InferenceSession,
    readonly device: DeviceReport,
    readonly layout: AccumulationLayout,
    private readonly adamw: AdamWConfig,
    private readonly schedule: LrSchedule,
    readonly microBatches: number,
    seed: number,
  ) {
    this.buffers = new ParamBuffers(layout);
    this.masks = new MaskFeeds(layout.dropout, seed);
    this.scalars = new StepScalarFeeds(layout.dtype, layout.scalarInputs);
    this.acc = layout.trainable.map((p) => ({
      name: p.name,
      tensors: [newTensor(layout.dtype, p.shape), newTensor(layout.dtype, p.shape)],
    }));
    this.scale = newTensor(layout.dtype, []);
    this.loss = newTensor(layout.dtype, []);
    this.gradNorm = newTensor(layout.dtype, []);
    const batchNames = new Set(layout.batchInputs.map((b) => b.name));
    this.batchSpecs = inputSpecs(gradient).filter((s) => batchNames.has(s.name));
  }

  /** Loads both graphs on the device and copies the initial parameters in (zero AdamW moments). */
  static async create(init: AccumulatingSessionInit): Promise<AccumulatingSession> {
    if (!Number.isInteger(init.microBatches) || init.microBatches < 1) {
      throw new StateError(`microBatches must be an integer >= 1, got ${init.microBatches}.`);
    }
    const device = init.device ?? 'cpu';
    const gradient = await openSession(init.gradientBytes, device, init);
    // No CPU arena for the update: a second arena would keep its parameter-sized temporaries reserved beside
    // the gradient session's (measured, MiniLM B16 x 2: peak RSS 2316 -> 2027 MiB; the single B16 graph: 1908).
    const update = await openSession(init.updateBytes, device, { ...init, memArena: false }).catch(
      async (e: unknown) => {
        await gradient.release();
        throw e;
      },
    );
    const report = deviceReport(device, init.threads);
    const s = new AccumulatingSession(
      gradient,
      update,
      report,
      init.layout,
      init.adamw,
      init.schedule,
      init.microBatches,
      init.seed,
    );
    if (init.adoptParams) s.buffers.adopt(init.params);
    else s.loadState({ step: 0, params: init.params, m: new Map(), v: new Map() });
    return s;
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.stepIndex;
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
    const timing = { prepareMs: 0, runMs: 0 };
    for (const a of this.acc) (a.tensors[0].data as Float).fill(0);
    this.scale.data[0] = 1 / n;
    const micro: MicroResult[] = [];
    for (let i = 0; i < n; i++) micro.push(await this.gradientPass(batches[i]!, step, i, timing));
    const loss = micro.reduce((s, m) => s + m.loss, 0) / n;
    let gradNorm = Number.NaN;
    if (Number.isFinite(loss)) gradNorm = await this.updatePass(step, lr, n % 2, timing);
    const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
    if (applied) {
      this.buffers.swap();
      this.stepIndex = step + 1;
    }
    return { step, lr, loss, gradNorm, applied, micro, timing };
  }

  /** Copies of the current parameters, moments and step (for checkpoints). */
  getState(): TrainingState {
    return this.buffers.getState(this.stepIndex);
  }

  /** Copies of the current parameter values only (trainable and frozen). */
  getParameters(): ReadonlyMap<string, Float> {
    return this.getState().params;
  }

  /** No-copy views of the current parameters, valid until the next trainStep or loadState. */
  parameterViews(): ReadonlyMap<string, HostTensor> {
    return this.buffers.parameterViews();
  }

  /** Loads parameters (all required), moments (missing ones start at zero) and the step counter. */
  loadState(state: TrainingState): void {
    this.buffers.load(state);
    this.stepIndex = state.step;
  }

  /** Ends ORT profiling of both sessions. */
  endProfiling(): void {
    this.gradient.endProfiling();
    this.update.endProfiling();
  }

  /** Frees both native sessions. */
  async release(): Promise<void> {
    await this.gradient.release();
    await this.update.release();
  }

  // Micro-batch i reads accumulator set i % 2 and writes the other one.
  private async gradientPass(
    batch: Batch,
    step: number,
    i: number,
    timing: { prepareMs: number; runMs: number },
  ): Promise<MicroResult> {
    const t0 = performance.now();
    const bindings = checkFeeds(this.batchSpecs, batch);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(batch)) feeds[name] = toOrt(t);
    this.buffers.feedCurrent(feeds, { moments: false, frozen: true });
    feeds[this.layout.scaleInput] = this.scale;
    this.masks.feed(feeds, step * this.microBatches + i, bindings);
    const fetches: Record<string, ort.Tensor | null> = { [this.layout.lossOutput]: this.loss };
    for (const a of this.acc) {
      const names = gradAccNames(a.name);
      feeds[names.acc] = a.tensors[i % 2];
      fetches[names.newAcc] = a.tensors[1 - (i % 2)];
    }
    for (const name of this.layout.extraOutputs) fetches[name] = null;
    if (!this.checked.gradient) {
      checkFeeds(inputSpecs(this.gradient), feeds);
      this.checked.gradient = true;
    }
    const t1 = performance.now();
    const result = await runChecked(this.gradient, feeds, fetches);
    timing.prepareMs += t1 - t0;
    timing.runMs += performance.now() - t1;
    const outputs: Record<string, HostTensor> = {};
    for (const name of this.layout.extraOutputs) outputs[name] = fromOrt(result[name]!);
    return { loss: Number(this.loss.data[0]), outputs };
  }

  /** Clip + AdamW on the accumulator set `accSet`; writes the idle parameter set; returns the grad norm. */
  private async updatePass(
    step: number,
    lr: number,
    accSet: number,
    timing: { prepareMs: number; runMs: number },
  ): Promise<number> {
    const t0 = performance.now();
    const feeds: Record<string, ort.Tensor> = {};
    this.buffers.feedCurrent(feeds, { moments: true, frozen: false });
    for (const a of this.acc) feeds[gradAccNames(a.name).acc] = a.tensors[accSet];
    this.scalars.feed(feeds, this.adamw, lr, step);
    const fetches: Record<string, ort.Tensor | null> = { [this.layout.gradNormOutput]: this.gradNorm };
    this.buffers.fetchNext(fetches);
    if (!this.checked.update) {
      checkFeeds(inputSpecs(this.update), feeds);
      this.checked.update = true;
    }
    const t1 = performance.now();
    await runChecked(this.update, feeds, fetches);
    timing.prepareMs += t1 - t0;
    timing.runMs += performance.now() - t1;
    return Number(this.gradNorm.data[0]);
  }
}
