/** Project + run choice shared by the screens that work on one finished run (Playground, Export). */
import type { Api, ApiError, ProjectId, ProjectInfo, RunId, RunInfo } from '../../../src-preload/contract';
import { selection } from './selection.svelte';

/** A run has a checkpoint to predict with once it evaluated at least once. */
export function usable(run: RunInfo): boolean {
  return Object.keys(run.best).length > 0;
}

/** Loads projects and their usable runs, keeping the choice in the shared selection across screens. */
export abstract class RunPickerState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  runs = $state.raw<readonly RunInfo[] | null>(null);
  error = $state.raw<ApiError | null>(null);

  constructor(protected readonly api: Api) {}

  async load(): Promise<void> {
    const result = await this.api.invoke('projects.list', { includeDeleted: true });
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
    this.runChanged();
  }

  /** Drops what was computed for the previous run. */
  protected abstract runChanged(): void;

  protected fail(error: ApiError): void {
    this.error = error;
  }
}
