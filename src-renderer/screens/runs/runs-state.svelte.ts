/** State of the Runs screen: the history, one run's details and mistakes, and the comparison of several. */
import type {
  Api,
  ApiError,
  ApiEvent,
  ProjectId,
  ProjectInfo,
  RunComparisonInfo,
  RunCurvesInfo,
  RunDetailInfo,
  RunId,
  RunInfo,
  RunMistakesInfo,
} from '../../../src-preload/contract';
import { selection } from './selection.svelte';

export type RunsView =
  | { readonly kind: 'none' }
  | { readonly kind: 'detail'; readonly runId: RunId }
  | { readonly kind: 'compare'; readonly runIds: readonly RunId[] };

export class RunsState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  runs = $state.raw<readonly RunInfo[] | null>(null);
  /** Runs ticked for comparison. */
  checked = $state.raw<readonly RunId[]>([]);
  view = $state.raw<RunsView>({ kind: 'none' });
  detail = $state.raw<RunDetailInfo | null>(null);
  curves = $state.raw<RunCurvesInfo | null>(null);
  mistakes = $state.raw<RunMistakesInfo | null>(null);
  mistakesLoading = $state(false);
  comparison = $state.raw<RunComparisonInfo | null>(null);
  compareCurves = $state.raw<readonly RunCurvesInfo[]>([]);
  error = $state.raw<ApiError | null>(null);

  #refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly api: Api) {}

  async load(): Promise<void> {
    const result = await this.api.invoke('projects.list', { includeDeleted: true });
    if (!result.ok) return this.fail(result.error);
    this.projects = result.value;
    const project =
      result.value.find((p) => p.id === selection.projectId) ??
      result.value.find((p) => p.deletedAt === null) ??
      result.value[0];
    if (project) await this.selectProject(project.id, selection.runId);
  }

  async selectProject(id: ProjectId, openRun: RunId | null = null): Promise<void> {
    selection.projectId = id;
    selection.save();
    this.error = null; // the previous project's failure
    this.checked = [];
    this.view = { kind: 'none' };
    await this.refresh();
    const run = this.runs?.find((r) => r.id === openRun) ?? this.runs?.[0];
    if (run) await this.open(run.id);
  }

  /** Reloads the history (and the open run, whose status or metrics may have moved). */
  async refresh(): Promise<void> {
    if (selection.projectId === null) return;
    const result = await this.api.invoke('runs.list', { projectId: selection.projectId });
    if (!result.ok) return this.fail(result.error);
    this.runs = result.value;
  }

  async open(runId: RunId): Promise<void> {
    this.error = null;
    this.view = { kind: 'detail', runId };
    selection.runId = runId;
    selection.save();
    this.mistakes = null;
    await this.loadDetail(runId);
  }

  toggle(runId: RunId): void {
    this.checked = this.checked.includes(runId) ? this.checked.filter((id) => id !== runId) : [...this.checked, runId];
  }

  /** Compares the ticked runs: config differences, best and last values, curves overlaid. */
  async compare(): Promise<void> {
    const runIds = this.checked;
    if (runIds.length < 2) return;
    this.error = null;
    this.view = { kind: 'compare', runIds };
    this.comparison = null;
    const [cmp, ...curves] = await Promise.all([
      this.api.invoke('runs.compare', { runIds }),
      ...runIds.map((runId) => this.api.invoke('runs.curves', { runId })),
    ]);
    if (!cmp!.ok) return this.fail(cmp!.error);
    const loaded: RunCurvesInfo[] = [];
    for (const c of curves) {
      if (!c.ok) return this.fail(c.error);
      loaded.push(c.value);
    }
    this.comparison = cmp!.value;
    this.compareCurves = loaded;
  }

  /** Predicts the dev split with the run's best checkpoint and lists what it gets wrong. */
  async loadMistakes(): Promise<void> {
    if (this.view.kind !== 'detail') return;
    const runId = this.view.runId;
    this.mistakesLoading = true;
    const result = await this.api.invoke('runs.mistakes', { runId, limit: 100 });
    this.mistakesLoading = false;
    if (!result.ok) return this.fail(result.error);
    if (this.view.kind === 'detail' && this.view.runId === runId) this.mistakes = result.value;
  }

  /** Refreshes after training events, at most every second. */
  onEvent = (e: ApiEvent): void => {
    const relevant = e.type === 'train.status' || (e.type === 'train.progress' && e.progress.type === 'eval');
    if (!relevant || this.#refreshTimer !== null) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
      if (this.view.kind === 'detail' && this.view.runId === e.runId) void this.loadDetail(e.runId);
    }, 1000);
  };

  private async loadDetail(runId: RunId): Promise<void> {
    const [detail, curves] = await Promise.all([
      this.api.invoke('runs.get', { runId }),
      this.api.invoke('runs.curves', { runId }),
    ]);
    if (this.view.kind !== 'detail' || this.view.runId !== runId) return;
    if (!detail.ok) return this.fail(detail.error);
    if (!curves.ok) return this.fail(curves.error);
    this.detail = detail.value;
    this.curves = curves.value;
  }

  private fail(error: ApiError): void {
    this.error = error;
  }
}
