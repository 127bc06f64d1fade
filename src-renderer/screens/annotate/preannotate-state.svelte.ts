/**
 * "Pre-annotate with run…": choose a run of the project, a scope and a minimum confidence, run it with live
 * progress, then refresh the Annotate list, stats and history (one Ctrl+Z undoes the whole pre-annotation).
 */
import type {
  Api,
  ApiError,
  DatasetId,
  ExampleFilter,
  PreannotateOutcome,
  PreannotateScope,
  RunId,
  RunInfo,
} from '../../../src-preload/contract';
import type { AnnotateState } from './annotate-state.svelte';
import { listInput, type Filters } from './filters';

export type ScopeChoice = 'filtered' | 'all-pending';

export type PreannotatePhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'running'; readonly done: number; readonly total: number }
  /** The threshold keeps fewer model spans than the pending spans they would replace: nothing written yet. */
  | { readonly phase: 'confirm'; readonly outcome: PreannotateOutcome }
  | { readonly phase: 'done'; readonly outcome: PreannotateOutcome };

/** Runs that can propose spans: completed, with an NER head (a stored NER score says it trained one). */
export function usableRuns(runs: readonly RunInfo[]): readonly RunInfo[] {
  return runs.filter((r) => r.status === 'completed' && r.best['ner.f1'] !== undefined);
}

/** The list's filters as the contract's filter for a scope (the dataset is sent separately). */
export function scopeFilter(f: Filters): Omit<ExampleFilter, 'datasetId'> {
  const { datasetId: _d, order: _o, offset: _s, limit: _l, ...filter } = listInput(0 as DatasetId, f, 0, 1);
  return filter;
}

/** Whether the list shows a subset (then "filtered list" differs from the whole dataset). */
export function isFiltered(f: Filters): boolean {
  return Object.keys(scopeFilter(f)).length > 0;
}

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** What a pre-annotation stopped to ask about, as one sentence for the confirm dialog. */
export function confirmText(o: PreannotateOutcome, minConfidence: number): string {
  const proposals = o.spansAdded + o.skipped.lowConfidence + o.skipped.settled + o.skipped.rejected;
  const kept = o.spansAdded === 0 ? 'none' : `only ${plural(o.spansAdded, 'model span')}`;
  return (
    `The minimum confidence ${minConfidence.toFixed(2)} keeps ${kept} of the model's ${plural(proposals, 'proposal')}, ` +
    `but ${plural(o.spansReplaced, 'pending span')} in ${plural(o.examples, 'example')} would be removed to make room.`
  );
}

/** The outcome as one sentence for the notice. */
export function outcomeText(o: PreannotateOutcome): string {
  if (o.examples === 0 && o.skipped.reviewed === 0) return 'No example in that scope; nothing was pre-annotated.';
  const skipped = o.skipped.settled + o.skipped.rejected + o.skipped.lowConfidence;
  const parts = [
    `Pre-annotated ${plural(o.examples, 'example')} in ${o.seconds.toFixed(1)} s: ${plural(o.spansAdded, 'model span')} added`,
    o.spansReplaced > 0 ? `${plural(o.spansReplaced, 'pending span')} replaced` : '',
    skipped > 0
      ? `${plural(skipped, 'proposal')} left out (${o.skipped.lowConfidence} under the minimum confidence, ${o.skipped.settled} over labelled spans, ${o.skipped.rejected} rejected before)`
      : '',
    o.skipped.reviewed > 0 ? `${plural(o.skipped.reviewed, 'reviewed example')} untouched` : '',
  ].filter((p) => p !== '');
  return `${parts.join(', ')}.${o.undoable ? ' One Ctrl+Z undoes it.' : ''}`;
}

export class PreannotateState {
  open = $state(false);
  runs = $state.raw<readonly RunInfo[] | null>(null);
  runId = $state<RunId | null>(null);
  scope = $state<ScopeChoice>('filtered');
  minConfidence = $state(0.5);
  status = $state.raw<PreannotatePhase>({ phase: 'idle' });
  error = $state.raw<ApiError | null>(null);

  constructor(
    private readonly api: Api,
    private readonly annotate: AnnotateState,
  ) {}

  /** Opens the panel and loads the project's runs (newest first). */
  async show(): Promise<void> {
    this.open = true;
    this.error = null;
    if (this.status.phase === 'done') this.status = { phase: 'idle' };
    const projectId = this.annotate.projectId;
    if (projectId === null) return;
    this.runs = null;
    const result = await this.api.invoke('runs.list', { projectId });
    if (!result.ok) {
      this.error = result.error;
      this.runs = [];
      return;
    }
    this.runs = usableRuns(result.value);
    if (!this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0]?.id ?? null;
  }

  /**
   * Runs the pre-annotation, following its progress events; refreshes the screen when it ends. It first asks
   * the backend to stop before writing when the threshold keeps fewer spans than it replaces (phase 'confirm');
   * `confirmed` (the dialog's "Replace anyway") goes ahead.
   */
  async run(confirmed = false): Promise<void> {
    const { datasetId } = this.annotate;
    const runId = this.runId;
    if (datasetId === null || runId === null || this.status.phase === 'running') return;
    const scope: PreannotateScope =
      this.scope === 'filtered'
        ? { kind: 'filtered', filter: scopeFilter(this.annotate.filters) }
        : { kind: 'all-pending' };
    this.error = null;
    this.status = { phase: 'running', done: 0, total: 0 };
    const stop = this.api.onEvent((event) => {
      if (event.type !== 'annotate.preannotate' || event.datasetId !== datasetId) return;
      if (this.status.phase === 'running') this.status = { phase: 'running', ...event.progress };
    });
    try {
      const result = await this.api.invoke('annotate.preannotate', {
        runId,
        datasetId,
        scope,
        minConfidence: this.minConfidence,
        onFewer: confirmed ? 'replace' : 'ask',
      });
      if (!result.ok) {
        this.status = { phase: 'idle' };
        this.error = result.error;
        return;
      }
      if (!result.value.applied) {
        this.status = { phase: 'confirm', outcome: result.value };
        return;
      }
      this.status = { phase: 'done', outcome: result.value };
      this.annotate.notice = { tone: 'info', text: outcomeText(result.value) };
      await this.#refresh();
    } finally {
      stop();
    }
  }

  /** The confirm dialog's "Keep them": nothing was written, the panel stays open to change the threshold. */
  keepPending(): void {
    if (this.status.phase === 'confirm') this.status = { phase: 'idle' };
  }

  async cancel(): Promise<void> {
    const { datasetId } = this.annotate;
    if (datasetId !== null) await this.api.invoke('annotate.cancelPreannotate', { datasetId });
  }

  /** Shows where the model and the labels differ, least confident first (the review loop). */
  async showDisagreements(): Promise<void> {
    this.open = false;
    await this.annotate.enqueue(() =>
      this.annotate.setFilters({ ...this.annotate.filters, modelDisagrees: true, order: 'modelConfidence' }),
    );
  }

  async #refresh(): Promise<void> {
    const a = this.annotate;
    a.rows.invalidate();
    await Promise.all([a.refreshStats(), a.refreshHistory()]);
    const id = a.example?.id;
    if (id !== undefined) await a.enqueue(() => a.openExample(id));
  }
}
