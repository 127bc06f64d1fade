/**
 * The Health panel of the Datasets screen: run the dataset health check with a model folder, follow its
 * progress, show the stored findings (with the dataset version they ran on) and accept them as undoable edits.
 */
import type {
  Api,
  ApiError,
  DatasetHealthInfo,
  DatasetId,
  ExampleId,
  HealthStage,
  ProjectId,
} from '../../../src-preload/contract';

export type HealthPhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'running'; readonly stage: HealthStage | null; readonly done: number; readonly total: number };

const STAGE_NAMES: Readonly<Record<HealthStage, string>> = {
  embed: 'Embedding texts',
  duplicates: 'Comparing every pair',
  leakage: 'Matching dev to train',
  labels: 'Cross-validating labels',
};

/** One line for the progress of a running check. */
export function progressText(p: Extract<HealthPhase, { phase: 'running' }>): string {
  if (p.stage === null) return 'Starting…';
  const of = p.total > 0 ? ` ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}` : '';
  return `${STAGE_NAMES[p.stage]}…${of}`;
}

export class HealthState {
  health = $state<DatasetHealthInfo | null>(null);
  loaded = $state(false);
  modelDir = $state('');
  phase = $state<HealthPhase>({ phase: 'idle' });
  error = $state<ApiError | null>(null);
  /** Examples whose finding was accepted in this view, and how. */
  accepted = $state<Record<number, string>>({});
  private datasetId: DatasetId | null = null;

  constructor(private readonly api: Api) {}

  /** Loads the dataset's stored check and suggests the model folder of the project's newest run. */
  async load(datasetId: DatasetId, projectId: ProjectId): Promise<void> {
    this.datasetId = datasetId;
    this.loaded = false;
    this.health = null;
    this.accepted = {};
    this.error = null;
    const [latest, runs] = await Promise.all([
      this.api.invoke('health.latest', { datasetId }),
      this.api.invoke('runs.list', { projectId }),
    ]);
    if (this.datasetId !== datasetId) return;
    if (latest.ok) this.health = latest.value;
    else this.error = latest.error;
    if (this.modelDir === '')
      this.modelDir = this.health?.modelPath ?? (runs.ok ? (runs.value[0]?.modelPath ?? '') : '');
    this.loaded = true;
  }

  /** Runs the check on the dataset with the model folder, following its progress events. */
  async check(): Promise<void> {
    const datasetId = this.datasetId;
    if (datasetId === null || this.modelDir.trim() === '' || this.phase.phase === 'running') return;
    this.error = null;
    this.phase = { phase: 'running', stage: null, done: 0, total: 0 };
    const off = this.api.onEvent((e) => {
      if (e.type === 'health.progress' && e.datasetId === datasetId)
        this.phase = { phase: 'running', stage: e.stage, done: e.done, total: e.total };
    });
    try {
      const r = await this.api.invoke('health.check', { datasetId, modelDir: this.modelDir.trim() });
      if (this.datasetId !== datasetId) return;
      if (r.ok) {
        this.health = r.value;
        this.accepted = {};
      } else this.error = r.error;
    } finally {
      off();
      this.phase = { phase: 'idle' };
    }
  }

  /** Relabels an example (gold) or drops it from every split; both are one Ctrl+Z in Annotate. */
  async accept(exampleId: ExampleId, action: { readonly relabel: string } | 'drop'): Promise<void> {
    const input =
      action === 'drop'
        ? ({ action: 'drop', exampleId } as const)
        : ({ action: 'relabel', exampleId, label: action.relabel } as const);
    const r = await this.api.invoke('health.accept', input);
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.accepted = { ...this.accepted, [exampleId]: action === 'drop' ? 'dropped' : `relabelled ${action.relabel}` };
    if (this.health) this.health = { ...this.health, stale: true };
  }
}
