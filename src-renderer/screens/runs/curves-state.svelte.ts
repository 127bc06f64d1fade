/** State of the Runs screen's learning curves: the project's curves, the one shown, the start form, progress. */
import type {
  Api,
  ApiError,
  ApiEvent,
  CurveId,
  DatasetId,
  DatasetInfo,
  FreezePresetName,
  LearningCurveInfo,
  ProjectId,
  RunId,
  TrainRequest,
} from '../../../src-preload/contract';
import { curveRequest, parseShares } from './learning-curve';

export interface ShareProgress {
  readonly runId: RunId;
  readonly step: number;
  readonly totalSteps: number;
}

export class CurvesState {
  curves = $state.raw<readonly LearningCurveInfo[] | null>(null);
  selectedId = $state.raw<CurveId | null>(null);
  datasets = $state.raw<readonly DatasetInfo[]>([]);
  /** The form: dataset, model, preset and shares; `template` holds a run's other settings. */
  datasetId = $state.raw<DatasetId | null>(null);
  modelDir = $state('');
  preset = $state.raw<FreezePresetName>('full');
  shares = $state('25, 50, 75, 100');
  template = $state.raw<TrainRequest | null>(null);
  templateRunId = $state.raw<RunId | null>(null);
  importPath = $state('');
  busy = $state(false);
  /** The step of the share training now (from train.progress events). */
  progress = $state.raw<ShareProgress | null>(null);
  error = $state.raw<ApiError | null>(null);
  #projectId: ProjectId | null = null;

  constructor(private readonly api: Api) {}

  get selected(): LearningCurveInfo | null {
    return this.curves?.find((c) => c.id === this.selectedId) ?? this.curves?.[0] ?? null;
  }

  get sharesError(): string | null {
    const parsed = parseShares(this.shares);
    return parsed.ok ? null : parsed.error;
  }

  /** Loads the project's curves and datasets (for the form). */
  async load(projectId: ProjectId): Promise<void> {
    this.#projectId = projectId;
    this.error = null;
    const [curves, datasets] = await Promise.all([
      this.api.invoke('curves.list', { projectId }),
      this.api.invoke('datasets.list', { projectId }),
    ]);
    if (this.#projectId !== projectId) return;
    if (!curves.ok) return this.fail(curves.error);
    if (!datasets.ok) return this.fail(datasets.error);
    this.curves = curves.value;
    this.datasets = datasets.value;
    if (this.datasetId === null || !datasets.value.some((d) => d.id === this.datasetId))
      this.datasetId = datasets.value[0]?.id ?? null;
  }

  /** Fills the form from a run's stored settings (dataset, model, preset; the rest rides along). */
  useRun(runId: RunId, request: TrainRequest): void {
    this.template = request;
    this.templateRunId = runId;
    this.datasetId = request.datasetId;
    this.modelDir = request.modelDir;
    this.preset = request.preset ?? 'full';
  }

  /** Starts a curve with the form's settings; refusals come back as the error notice, with their numbers. */
  async start(): Promise<void> {
    const parsed = parseShares(this.shares);
    if (!parsed.ok || this.#projectId === null || this.datasetId === null || this.modelDir.trim() === '') return;
    const request = curveRequest(this.template, {
      projectId: this.#projectId,
      datasetId: this.datasetId,
      modelDir: this.modelDir.trim(),
      preset: this.preset,
    });
    this.busy = true;
    this.error = null;
    const result = await this.api.invoke('curves.start', { request, fractions: parsed.fractions });
    this.busy = false;
    if (!result.ok) return this.fail(result.error);
    this.selectedId = result.value.id;
    this.progress = null;
    await this.refresh();
  }

  async cancel(curveId: CurveId): Promise<void> {
    const result = await this.api.invoke('curves.cancel', { curveId });
    if (!result.ok) return this.fail(result.error);
    await this.refresh();
  }

  /** Stores a curve.json of `mts curve` (absolute path) as a curve of this project. */
  async importFile(): Promise<void> {
    if (this.#projectId === null || this.importPath.trim() === '') return;
    this.error = null;
    const result = await this.api.invoke('curves.import', { projectId: this.#projectId, path: this.importPath.trim() });
    if (!result.ok) return this.fail(result.error);
    this.selectedId = result.value.id;
    this.importPath = '';
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const projectId = this.#projectId;
    if (projectId === null) return;
    const result = await this.api.invoke('curves.list', { projectId });
    if (!result.ok) return this.fail(result.error);
    if (this.#projectId === projectId) this.curves = result.value;
  }

  /** Curve changes reload the list; step events of a curve's running share move its progress. */
  onEvent = (e: ApiEvent): void => {
    if (e.type === 'curves.changed') {
      if (e.status !== 'running') this.progress = null;
      void this.refresh();
      return;
    }
    if (e.type === 'train.progress' && e.progress.type === 'step') {
      // One training at a time per app: while a curve runs, the run stepping is its share (maybe not listed yet).
      if (this.curves?.some((c) => c.status === 'running'))
        this.progress = { runId: e.runId, step: e.progress.step, totalSteps: e.progress.totalSteps };
    }
  };

  private fail(error: ApiError): void {
    this.error = error;
  }
}
