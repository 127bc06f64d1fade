/** State of the Export screen: which run, the target folder, and the written bundle with its parity check. */
import type {
  Api,
  ApiError,
  ExportResultInfo,
  ProjectId,
  ProjectInfo,
  RunId,
  RunInfo,
} from '../../../src-preload/contract';
import { usable } from '../playground/playground-state.svelte';
import { selection } from '../runs/selection.svelte';

export class ExportState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  runs = $state.raw<readonly RunInfo[] | null>(null);
  name = $state('');
  overwrite = $state(false);
  exporting = $state(false);
  result = $state.raw<ExportResultInfo | null>(null);
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
  }

  setFolder(folder: string): void {
    selection.exportFolder = folder;
    selection.save();
  }

  async run(): Promise<void> {
    const runId = selection.runId;
    const folder = selection.exportFolder.trim();
    if (runId === null || folder === '' || this.exporting) return;
    this.error = null;
    this.result = null;
    this.exporting = true;
    const name = this.name.trim();
    const result = await this.api.invoke('export.run', {
      runId,
      folder,
      ...(name !== '' && { name }),
      overwrite: this.overwrite,
    });
    this.exporting = false;
    if (!result.ok) return this.fail(result.error);
    this.result = result.value;
  }

  private fail(error: ApiError): void {
    this.error = error;
  }
}
