/** State of the Playground: which run, the pasted text, its prediction and its nearest dev examples. */
import type {
  Api,
  ApiError,
  NearestInfo,
  PredictionInfo,
  ProjectId,
  ProjectInfo,
  RunId,
  RunInfo,
} from '../../../src-preload/contract';
import { selection } from '../runs/selection.svelte';

/** A run has a checkpoint to predict with once it evaluated at least once. */
export function usable(run: RunInfo): boolean {
  return Object.keys(run.best).length > 0;
}

export class PlaygroundState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  runs = $state.raw<readonly RunInfo[] | null>(null);
  text = $state('');
  predicting = $state(false);
  /** The prediction and the exact text it was made for (the box may have changed since). */
  result = $state.raw<{ readonly text: string; readonly runId: RunId; readonly prediction: PredictionInfo } | null>(
    null,
  );
  nearest = $state.raw<NearestInfo | null>(null);
  nearestLoading = $state(false);
  error = $state.raw<ApiError | null>(null);

  constructor(private readonly api: Api) {}

  async load(): Promise<void> {
    const result = await this.api.invoke('projects.list', {});
    if (!result.ok) return this.fail(result.error);
    this.projects = result.value;
    const project = result.value.find((p) => p.id === selection.projectId) ?? result.value[0];
    if (project) await this.selectProject(project.id);
  }

  async selectProject(id: ProjectId): Promise<void> {
    selection.projectId = id;
    this.runs = null;
    const result = await this.api.invoke('runs.list', { projectId: id });
    if (!result.ok) return this.fail(result.error);
    this.runs = result.value.filter(usable);
    if (!this.runs.some((r) => r.id === selection.runId)) selection.runId = this.runs[0]?.id ?? null;
    selection.save();
  }

  selectRun(id: RunId): void {
    selection.runId = id;
    selection.save();
    this.result = null;
    this.nearest = null;
  }

  async predict(): Promise<void> {
    const runId = selection.runId;
    const text = this.text;
    if (runId === null || text.trim() === '' || this.predicting) return;
    this.error = null;
    this.predicting = true;
    const result = await this.api.invoke('playground.predict', { runId, text });
    this.predicting = false;
    if (!result.ok) return this.fail(result.error);
    this.result = { text, runId, prediction: result.value };
    this.nearest = null;
  }

  async findNearest(): Promise<void> {
    const r = this.result;
    if (r === null) return;
    this.nearestLoading = true;
    const result = await this.api.invoke('playground.nearest', { runId: r.runId, text: r.text, k: 5 });
    this.nearestLoading = false;
    if (!result.ok) return this.fail(result.error);
    this.nearest = result.value;
  }

  private fail(error: ApiError): void {
    this.error = error;
  }
}
