/** State of the Train screen: data and model choice, settings, the pre-start plan, devices, the live run. */
import type {
  Api,
  ApiError,
  ApiEvent,
  DatasetId,
  DatasetInfo,
  FreezePresetName,
  ProjectId,
  ProjectInfo,
  SelectMetricName,
  TrainDevice,
  TrainPlanInfo,
  TrainRequest,
} from '../../../src-preload/contract';
import { selection } from '../runs/selection.svelte';
import { LiveRun } from './live-run.svelte';
import { taskSourceChoice } from './task-sources.svelte';

/** The editable settings; learning rate and epochs default to the chosen preset's recipe (services/train/recipe.ts). */
export interface TrainForm {
  name: string;
  preset: FreezePresetName;
  freezeEmbeddings: boolean;
  freezeBottomLayers: number;
  /** null: the preset's recipe (the backend fills it in and the plan shows it). */
  lr: number | null;
  /** null: the preset's recipe, enough optimizer steps for the train size. */
  epochs: number | null;
  batchSize: number;
  /** Micro-batches per optimizer step (1..64). */
  gradAccumulation: number;
  /** Word-embedding updates: lazy (the batch's rows only) or dense (every row, as PyTorch's AdamW). */
  embeddingUpdates: 'lazy' | 'dense';
  maxLength: number;
  clsWeight: number;
  nerWeight: number;
  /** 'uncertainty': the task weights are learned during training (the two above stay as multipliers). */
  taskWeighting: 'fixed' | 'uncertainty';
  /** Unreviewed silver spans below this confidence are ignored in the NER loss (0: all count). */
  silverMinConfidence: number;
  device: TrainDevice;
  seed: number;
  /** Seconds between mid-epoch resume points (0: epoch ends only). */
  checkpointEverySec: number;
  /** Frozen encoder (heads-only): compute its features once and train the heads on them. */
  featureCache: 'auto' | 'on' | 'off';
  /** The dev metric that keeps the best checkpoint (auto: both heads' mean when both train). */
  selectMetric: 'auto' | SelectMetricName;
}

export const DEFAULT_FORM: Readonly<TrainForm> = {
  name: '',
  preset: 'full',
  freezeEmbeddings: false,
  freezeBottomLayers: 0,
  lr: null,
  epochs: null,
  batchSize: 32,
  gradAccumulation: 1,
  embeddingUpdates: 'lazy',
  maxLength: 128,
  clsWeight: 1,
  nerWeight: 1,
  taskWeighting: 'fixed',
  silverMinConfidence: 0,
  device: 'auto',
  seed: 42,
  checkpointEverySec: 300,
  featureCache: 'auto',
  selectMetric: 'auto',
};

const PLAN_DELAY_MS = 300;

export class TrainState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  datasets = $state.raw<readonly DatasetInfo[] | null>(null);
  form = $state<TrainForm>({ ...DEFAULT_FORM });
  plan = $state.raw<TrainPlanInfo | null>(null);
  planError = $state.raw<ApiError | null>(null);
  planning = $state(false);
  probing = $state(false);
  starting = $state(false);
  /** True while train.resume is in flight. */
  resuming = $state(false);
  live = $state.raw<LiveRun | null>(null);
  /** The last failure of a user action (start, cancel, loading lists). */
  error = $state.raw<ApiError | null>(null);

  #planTimer: ReturnType<typeof setTimeout> | null = null;
  #planSeq = 0;
  // Events that arrive while train.start is in flight, before the run id is known.
  #pending: ApiEvent[] | null = null;

  constructor(private readonly api: Api) {}

  /** Loads projects (and the remembered project's datasets), devices, and a training already running. */
  async load(): Promise<void> {
    const [projects] = await Promise.all([this.api.invoke('projects.list', {}), this.attachActive()]);
    if (!projects.ok) return this.fail(projects.error);
    this.projects = projects.value;
    const remembered = projects.value.find((p) => p.id === selection.projectId) ?? projects.value[0];
    if (remembered) await this.selectProject(remembered.id);
    if (selection.probes === null) void this.probe();
  }

  async selectProject(id: ProjectId): Promise<void> {
    this.error = null; // the previous project's failure
    if (selection.projectId !== id) selection.datasetId = null;
    selection.projectId = id;
    selection.save();
    this.datasets = null;
    const result = await this.api.invoke('datasets.list', { projectId: id });
    if (!result.ok) return this.fail(result.error);
    this.datasets = result.value;
    const keep = result.value.find((d) => d.id === selection.datasetId) ?? result.value[0];
    selection.datasetId = keep?.id ?? null;
    selection.save();
    this.schedulePlan();
  }

  selectDataset(id: DatasetId): void {
    selection.datasetId = id;
    selection.save();
    this.schedulePlan();
  }

  /** Picks a preset and its recipe: a learning rate or epochs typed for the previous preset do not carry over. */
  selectPreset(preset: FreezePresetName): void {
    if (preset === this.form.preset) return;
    this.form.preset = preset;
    this.form.lr = null;
    this.form.epochs = null;
  }

  setModelDir(dir: string): void {
    selection.modelDir = dir;
    selection.save();
    this.schedulePlan();
  }

  /** The request for the current choices, or null while the dataset or model folder is missing. */
  request(): TrainRequest | null {
    const f = this.form;
    const modelDir = selection.modelDir.trim();
    if (selection.projectId === null || selection.datasetId === null || modelDir === '') return null;
    return {
      projectId: selection.projectId,
      datasetId: selection.datasetId,
      modelDir,
      ...(f.name.trim() !== '' && { name: f.name.trim() }),
      preset: f.preset,
      freezeEmbeddings: f.freezeEmbeddings,
      freezeBottomLayers: f.freezeBottomLayers,
      // Left out, the preset's recipe applies (an emptied number field binds to null).
      ...(f.lr !== null && { lr: f.lr }),
      ...(f.epochs !== null && { epochs: f.epochs }),
      batchSize: f.batchSize,
      gradAccumulation: f.gradAccumulation,
      embeddingUpdates: f.embeddingUpdates,
      maxLength: f.maxLength,
      taskWeights: { classification: f.clsWeight, ner: f.nerWeight },
      taskWeighting: f.taskWeighting,
      silverMinConfidence: f.silverMinConfidence,
      device: f.device,
      seed: f.seed,
      checkpointEverySec: f.checkpointEverySec,
      featureCache: f.featureCache,
      selectMetric: f.selectMetric,
      ...taskSourceChoice.fields(selection.datasetId),
    };
  }

  /** Asks for a fresh plan shortly (typing in a field does not send a request per key). */
  schedulePlan(): void {
    if (this.#planTimer !== null) clearTimeout(this.#planTimer);
    this.#planTimer = setTimeout(() => void this.refreshPlan(), PLAN_DELAY_MS);
  }

  async refreshPlan(): Promise<void> {
    this.#planTimer = null;
    const request = this.request();
    const seq = ++this.#planSeq;
    if (request === null) {
      this.plan = null;
      this.planError = null;
      return;
    }
    this.planning = true;
    const result = await this.api.invoke('train.plan', request);
    if (seq !== this.#planSeq) return; // a newer request superseded this one
    this.planning = false;
    this.plan = result.ok ? result.value : null;
    this.planError = result.ok ? null : result.error;
    // The default length suits BERT-base; a model with fewer positions gets its own limit unless the person chose one.
    const positions = result.ok ? result.value.model?.maxPositions : undefined;
    if (positions !== undefined && this.form.maxLength === DEFAULT_FORM.maxLength && positions < DEFAULT_FORM.maxLength)
      this.form.maxLength = positions;
  }

  /** Probes every execution provider once per session (each in a child process, so a crash is contained). */
  async probe(): Promise<void> {
    this.probing = true;
    const result = await this.api.invoke('system.probeProviders', {});
    this.probing = false;
    if (!result.ok) return this.fail(result.error);
    selection.probes = result.value.probes;
  }

  /** Starts the run; progress then arrives as events (see onEvent). */
  async start(): Promise<void> {
    const request = this.request();
    if (request === null || this.starting) return;
    this.error = null;
    this.starting = true;
    this.#pending = [];
    const result = await this.api.invoke('train.start', request);
    const pending = this.#pending;
    this.#pending = null;
    this.starting = false;
    if (!result.ok) {
      this.fail(result.error);
      this.schedulePlan();
      return;
    }
    const live = new LiveRun(result.value.run);
    this.live = live;
    selection.runId = live.runId;
    selection.save();
    for (const e of pending) this.onEvent(e);
  }

  /**
   * Resumes the stopped run on the live panel from its last saved state; the panel then follows it again,
   * its charts filled with the steps stored before the stop.
   */
  async resume(): Promise<void> {
    const stopped = this.live;
    if (!stopped || stopped.active || this.resuming) return;
    this.error = null;
    this.resuming = true;
    this.#pending = [];
    const result = await this.api.invoke('train.resume', { runId: stopped.runId });
    const pending = this.#pending;
    this.#pending = null;
    this.resuming = false;
    if (!result.ok) return this.fail(result.error);
    const live = new LiveRun(result.value.run);
    this.live = live;
    for (const e of pending) this.onEvent(e);
    const curves = await this.api.invoke('runs.curves', { runId: live.runId });
    if (curves.ok) live.seed(curves.value.curves);
    else this.fail(curves.error);
  }

  async cancel(): Promise<void> {
    const live = this.live;
    if (!live || !live.active) return;
    live.cancelling = true;
    const result = await this.api.invoke('train.cancel', { runId: live.runId });
    if (!result.ok) {
      live.cancelling = false;
      this.fail(result.error);
    }
  }

  /** Routes pushed events to the live run (subscribe once per screen). */
  onEvent = (e: ApiEvent): void => {
    if (e.type !== 'train.progress' && e.type !== 'train.status') return;
    if (this.#pending !== null) {
      this.#pending.push(e);
      return;
    }
    const live = this.live;
    if (!live || e.runId !== live.runId) return;
    if (e.type === 'train.progress') live.onProgress(e.progress);
    else {
      live.onStatus(e.status, e.error);
      if (live.active) return;
      // The "one training at a time" refusal lifts when the run ends.
      this.schedulePlan();
      // Live step events were thinned; the store has every step.
      void this.api
        .invoke('runs.curves', { runId: live.runId })
        .then((c) => (c.ok ? live.seed(c.value.curves) : this.fail(c.error)));
    }
  };

  /** Clears a finished run from the screen so the settings show again. */
  dismissRun(): void {
    if (this.live?.active) return;
    this.live = null;
    this.schedulePlan();
  }

  private async attachActive(): Promise<void> {
    const active = await this.api.invoke('train.active', {});
    if (!active.ok) return this.fail(active.error);
    const run = active.value.run;
    if (run === null) return;
    const live = new LiveRun(run);
    this.live = live;
    const curves = await this.api.invoke('runs.curves', { runId: run.id });
    if (curves.ok) live.seed(curves.value.curves);
  }

  private fail(error: ApiError): void {
    this.error = error;
  }
}
