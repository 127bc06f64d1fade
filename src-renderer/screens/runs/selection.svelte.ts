/**
 * What the Train, Runs, Playground and Export screens share: the chosen project, dataset and run, the last
 * model folder, and the provider probes (slow: child processes). Screens are re-created on every visit, so
 * this lives in one module-level object, mirrored to sessionStorage to survive a reload of the page.
 */
import type { DatasetId, ProjectId, ProviderProbe, RunId } from '../../../src-preload/contract';

const KEY = 'mts.train-screens';

interface Saved {
  projectId: number | null;
  datasetId: number | null;
  runId: number | null;
  modelDir: string;
  exportFolder: string;
}

function load(): Saved {
  const empty: Saved = { projectId: null, datasetId: null, runId: null, modelDir: '', exportFolder: '' };
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw === null) return empty;
    const v = JSON.parse(raw) as Partial<Saved>;
    const id = (x: unknown): number | null => (typeof x === 'number' && Number.isInteger(x) && x > 0 ? x : null);
    const text = (x: unknown): string => (typeof x === 'string' ? x : '');
    return {
      projectId: id(v.projectId),
      datasetId: id(v.datasetId),
      runId: id(v.runId),
      modelDir: text(v.modelDir),
      exportFolder: text(v.exportFolder),
    };
  } catch {
    // A corrupt entry only loses the remembered choices.
    return empty;
  }
}

class Selection {
  projectId = $state<ProjectId | null>(null);
  datasetId = $state<DatasetId | null>(null);
  runId = $state<RunId | null>(null);
  modelDir = $state('');
  exportFolder = $state('');
  /** Provider probes of this session (null until probed). */
  probes = $state.raw<readonly ProviderProbe[] | null>(null);

  constructor() {
    const s = load();
    // Ids came from the backend in an earlier page load of this tab.
    this.projectId = s.projectId as ProjectId | null;
    this.datasetId = s.datasetId as DatasetId | null;
    this.runId = s.runId as RunId | null;
    this.modelDir = s.modelDir;
    this.exportFolder = s.exportFolder;
  }

  /** Writes the choices to sessionStorage. */
  save(): void {
    const s: Saved = {
      projectId: this.projectId,
      datasetId: this.datasetId,
      runId: this.runId,
      modelDir: this.modelDir,
      exportFolder: this.exportFolder,
    };
    try {
      sessionStorage.setItem(KEY, JSON.stringify(s));
    } catch {
      // Storage full or disabled: the choices last until the page reloads.
    }
  }
}

/** The one shared selection. */
export const selection = new Selection();
