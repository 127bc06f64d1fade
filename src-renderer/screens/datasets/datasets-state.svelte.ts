/** State for the Datasets screen: projects, the selected project's datasets, an import in progress, stats. */
import type {
  Api,
  ApiError,
  DatasetId,
  DatasetInfo,
  DatasetStats,
  ImportPreview,
  ImportProgress,
  ImportSummary,
  ProjectId,
  ProjectInfo,
} from '../../../src-preload/contract';
import { DEFAULT_RANDOM, splitPolicy, type RandomSplit, type SplitChoice } from './split-policy';

export type ImportPhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'previewing' }
  | { readonly phase: 'previewed'; readonly preview: ImportPreview }
  | { readonly phase: 'importing'; readonly progress: ImportProgress | null }
  | { readonly phase: 'imported'; readonly summary: ImportSummary };

export class DatasetsState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  projectId = $state<ProjectId | null>(null);
  datasets = $state.raw<readonly DatasetInfo[] | null>(null);
  selected = $state<DatasetId | null>(null);
  stats = $state.raw<DatasetStats | null>(null);
  importPath = $state('');
  importer = $state.raw<ImportPhase>({ phase: 'idle' });
  /** Where imported examples go: one split, or random by ratios (80/10/10 unless changed). */
  splitChoice = $state.raw<SplitChoice>({ kind: 'random' });
  splitRandom = $state.raw<RandomSplit>(DEFAULT_RANDOM);
  /** The last failure, shown above the screen until the next action. */
  error = $state.raw<ApiError | null>(null);

  constructor(private readonly api: Api) {}

  /** Loads the projects and selects the first one. */
  async load(): Promise<void> {
    const result = await this.api.invoke('projects.list', {});
    if (!result.ok) return this.fail(result.error);
    this.projects = result.value;
    const first = result.value[0];
    if (this.projectId === null && first !== undefined) await this.selectProject(first.id);
  }

  async createProject(name: string): Promise<boolean> {
    this.error = null;
    const result = await this.api.invoke('projects.create', { name });
    if (!result.ok) {
      this.fail(result.error);
      return false;
    }
    this.projects = [...(this.projects ?? []), result.value];
    await this.selectProject(result.value.id);
    return true;
  }

  async selectProject(id: ProjectId): Promise<void> {
    this.projectId = id;
    // An error or import summary of the previous project would read as this one's.
    this.error = null;
    if (this.importer.phase === 'imported') this.importer = { phase: 'idle' };
    this.selected = null;
    this.stats = null;
    await this.refreshDatasets();
  }

  async refreshDatasets(): Promise<void> {
    if (this.projectId === null) return;
    const result = await this.api.invoke('datasets.list', { projectId: this.projectId });
    if (!result.ok) return this.fail(result.error);
    this.datasets = result.value;
  }

  async selectDataset(id: DatasetId): Promise<void> {
    this.selected = id;
    this.stats = null;
    const result = await this.api.invoke('datasets.stats', { datasetId: id });
    if (!result.ok) return this.fail(result.error);
    if (this.selected === id) this.stats = result.value;
  }

  async preview(): Promise<void> {
    this.error = null;
    this.importer = { phase: 'previewing' };
    const result = await this.api.invoke('datasets.preview', { path: this.importPath.trim(), rows: 5 });
    if (!result.ok) {
      this.importer = { phase: 'idle' };
      return this.fail(result.error);
    }
    this.importer = { phase: 'previewed', preview: result.value };
  }

  /** Imports the previewed file into the selected project, following progress events for this path. */
  async runImport(): Promise<void> {
    if (this.projectId === null) return;
    this.error = null;
    const split = splitPolicy(this.splitChoice, this.splitRandom);
    if ('problem' in split) return this.fail({ code: 'invalid_input', message: split.problem });
    const path = this.importPath.trim();
    this.importer = { phase: 'importing', progress: null };
    const stop = this.api.onEvent((event) => {
      if (event.type === 'datasets.import' && event.path === path && this.importer.phase === 'importing') {
        this.importer = { phase: 'importing', progress: event.progress };
      }
    });
    try {
      const result = await this.api.invoke('datasets.import', { projectId: this.projectId, path, split: split.policy });
      if (!result.ok) {
        this.importer = { phase: 'idle' };
        return this.fail(result.error);
      }
      this.importer = { phase: 'imported', summary: result.value };
      await this.refreshDatasets();
      await this.selectDataset(result.value.datasetId);
    } finally {
      stop();
    }
  }

  /** Asks the backend to stop the running import; `runImport` then ends with a 'cancelled' error. */
  async cancelImport(): Promise<void> {
    const result = await this.api.invoke('datasets.cancelImport', { path: this.importPath.trim() });
    if (!result.ok) this.fail(result.error);
  }

  /** After a rename or re-split of a dataset: the list and its statistics again. */
  async datasetChanged(id: DatasetId): Promise<void> {
    await this.refreshDatasets();
    await this.selectDataset(id);
  }

  /** After a dataset was deleted. */
  async datasetDeleted(): Promise<void> {
    this.selected = null;
    this.stats = null;
    await this.refreshDatasets();
  }

  /** After a project was renamed (keep it selected) or deleted (select the first one left). */
  async projectsChanged(deleted: boolean): Promise<void> {
    if (deleted) {
      this.projectId = null;
      this.datasets = null;
      this.selected = null;
      this.stats = null;
    }
    await this.load();
  }

  resetImport(): void {
    this.importer = { phase: 'idle' };
  }

  private fail(error: ApiError): void {
    this.error = error;
  }
}
