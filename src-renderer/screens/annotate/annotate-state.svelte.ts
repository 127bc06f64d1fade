/**
 * State of the Annotate screen: which dataset, the filtered example list (paged, see RowCache), the open
 * example with its selected span or pending text selection, stats, history and the silver labeler. Edits
 * run one at a time in key-press order, so fast typing never reorders them.
 */
import type {
  Api,
  ApiError,
  DatasetId,
  DatasetInfo,
  DatasetStats,
  ExampleId,
  ExampleInfo,
  ExampleRow,
  HistoryEntry,
  InputOf,
  LabelDatasetOutcome,
  MethodName,
  OutputOf,
  ProjectId,
  ProjectInfo,
  SpanId,
  SpanInfo,
} from '../../../src-preload/contract';
import { entityTypesOf, listInput, NO_FILTERS, type Filters } from './filters';
import { RowCache } from './row-cache.svelte';
import type { Range } from './tokens';

export type LabelerPhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'running'; readonly done: number; readonly total: number; readonly spans: number }
  | { readonly phase: 'done'; readonly summary: LabelDatasetOutcome };

export interface Notice {
  readonly tone: 'info' | 'warn';
  readonly text: string;
}

/** Methods that answer with the edited example. */
type EditMethod = { [M in MethodName]: OutputOf<M> extends ExampleInfo ? M : never }[MethodName];

const STORAGE_KEY = 'mts.annotate.dataset';
const PREVIEW_CHARS = 240;

/** The first characters of a text, never ending in half a surrogate pair (as the server cuts them). */
function previewOf(text: string): string {
  const cut = text.slice(0, PREVIEW_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return text.length > PREVIEW_CHARS && last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** The list row for an example we already hold in full (keeps the list in step after an edit). */
export function rowOf(e: ExampleInfo): ExampleRow {
  const spanCounts = { silver: 0, gold: 0, model: 0 };
  for (const s of e.spans) if (s.status !== 'rejected') spanCounts[s.source] += 1;
  return {
    id: e.id,
    line: e.line,
    preview: previewOf(e.text),
    textLength: e.text.length,
    split: e.split,
    classLabel: e.classLabel,
    status: e.status,
    spanCounts,
    modelConfidence: e.modelConfidence,
  };
}

const overlaps = (a: Range, b: Range): boolean => a.start < b.end && b.start < a.end;

export class AnnotateState {
  projects = $state.raw<readonly ProjectInfo[] | null>(null);
  projectId = $state<ProjectId | null>(null);
  datasets = $state.raw<readonly DatasetInfo[] | null>(null);
  datasetId = $state<DatasetId | null>(null);
  filters = $state.raw<Filters>(NO_FILTERS);
  readonly rows = new RowCache();
  /** Position of the open example in the list; null when it was opened from the history instead. */
  index = $state<number | null>(null);
  example = $state.raw<ExampleInfo | null>(null);
  selectedSpan = $state<SpanId | null>(null);
  pending = $state.raw<Range | null>(null);
  stats = $state.raw<DatasetStats | null>(null);
  history = $state.raw<readonly HistoryEntry[]>([]);
  labeler = $state.raw<LabelerPhase>({ phase: 'idle' });
  notice = $state.raw<Notice | null>(null);
  error = $state.raw<ApiError | null>(null);
  entityTypes = $derived(entityTypesOf(Object.keys(this.stats?.byEntityType ?? {})));
  classLabels = $derived(
    Object.keys(this.stats?.byClass ?? {})
      .filter((k) => k !== '')
      .sort(),
  );
  #queue: Promise<unknown> = Promise.resolve();
  #opening = 0;

  constructor(private readonly api: Api) {}

  /** Runs `task` after every earlier queued one (edits and navigation keep key-press order). */
  enqueue(task: () => Promise<unknown>): Promise<unknown> {
    this.#queue = this.#queue.then(task, task);
    return this.#queue;
  }

  /** Loads projects and datasets, reopening the dataset used last time when it still exists. */
  async load(): Promise<void> {
    const projects = await this.#call('projects.list', {});
    if (projects === null) return;
    const remembered = Number(localStorage.getItem(STORAGE_KEY) ?? NaN);
    for (const p of projects) {
      const datasets = await this.#call('datasets.list', { projectId: p.id });
      if (datasets === null) return;
      const hit = datasets.find((d) => d.id === remembered);
      if (hit !== undefined || (this.projectId === null && datasets.length > 0)) {
        this.projectId = p.id;
        this.datasets = datasets;
        if (hit !== undefined) break;
      }
    }
    // Shown only now, so the screen does not flash "no datasets" while the project is being chosen.
    this.projects = projects;
    if (this.projectId === null && projects[0] !== undefined) await this.selectProject(projects[0].id);
    const chosen = this.datasets?.find((d) => d.id === remembered) ?? this.datasets?.[0];
    if (chosen !== undefined) await this.selectDataset(chosen.id);
  }

  async selectProject(id: ProjectId): Promise<void> {
    this.projectId = id;
    // Notices and errors speak of the previous project's examples.
    this.notice = null;
    this.error = null;
    this.datasetId = null;
    this.rows.reset(null);
    this.example = null;
    this.datasets = await this.#call('datasets.list', { projectId: id });
    const first = this.datasets?.[0];
    if (first !== undefined) await this.selectDataset(first.id);
  }

  async selectDataset(id: DatasetId): Promise<void> {
    this.datasetId = id;
    localStorage.setItem(STORAGE_KEY, String(id));
    this.labeler = { phase: 'idle' };
    await Promise.all([this.refreshStats(), this.refreshHistory(), this.setFilters(this.filters)]);
  }

  /** Applies new filters: the list starts over and its first example opens. */
  async setFilters(filters: Filters): Promise<void> {
    this.filters = filters;
    const datasetId = this.datasetId;
    if (datasetId === null) return;
    this.rows.reset((offset, limit) =>
      this.api.invoke('annotate.listExamples', listInput(datasetId, filters, offset, limit)),
    );
    this.index = null;
    this.example = null;
    await this.open(0);
  }

  /** Opens the example at list position `index` (clamped); no-op on an empty list. */
  async open(index: number): Promise<void> {
    const ticket = ++this.#opening;
    const target = Math.max(0, this.rows.total === null ? index : Math.min(index, this.rows.total - 1));
    await this.rows.ensure(target, target);
    const row = this.rows.row(target);
    if (ticket !== this.#opening || row === undefined) return;
    this.index = target;
    await this.#load(row.id, ticket);
  }

  /** Opens an example from a deep link (e.g. a run's mistake): selects its project and dataset first. */
  async openLinked(id: ExampleId): Promise<void> {
    const ex = await this.#call('annotate.getExample', { exampleId: id });
    if (ex === null) return;
    for (const p of this.projects ?? []) {
      const datasets = await this.#call('datasets.list', { projectId: p.id });
      if (datasets?.some((d) => d.id === ex.datasetId)) {
        this.projectId = p.id;
        this.datasets = datasets;
        if (this.datasetId !== ex.datasetId) await this.selectDataset(ex.datasetId);
        await this.openExample(id);
        return;
      }
    }
    this.notice = { tone: 'info', text: `Example ${id} is not in any dataset of your projects any more.` };
  }

  /** Opens an example by id (from the history); it keeps its list position when the list holds it. */
  async openExample(id: ExampleId): Promise<void> {
    const ticket = ++this.#opening;
    const at = this.rows.indexOf(id);
    // Right after an invalidate the pages are refetching: the open example keeps its place meanwhile.
    this.index = at >= 0 ? at : id === this.example?.id ? this.index : null;
    await this.#load(id, ticket);
  }

  async step(delta: 1 | -1): Promise<void> {
    const from = this.index ?? (delta > 0 ? -1 : 0);
    const to = from + delta;
    if (to < 0 || (this.rows.total !== null && to >= this.rows.total)) {
      this.notice = { tone: 'info', text: to < 0 ? 'This is the first example.' : 'This is the last example.' };
      return;
    }
    await this.open(to);
  }

  /** Runs one of the edits that return the example, then shows it and patches its list row. */
  async edit<M extends EditMethod>(method: M, input: InputOf<M>): Promise<ExampleInfo | null> {
    const value = (await this.#call(method, input)) as ExampleInfo | null;
    if (value === null) return null;
    this.#show(value);
    void this.refreshHistory();
    void this.refreshStats();
    return value;
  }

  /** Labels the pending selection with `type` (replacing overlapped silver/gold spans, as the notice says). */
  async addSpan(type: string): Promise<void> {
    const ex = this.example;
    const range = this.pending;
    if (ex === null || range === null) return;
    const replaced = ex.spans.filter((s) => s.source !== 'model' && overlaps(s, range)).length;
    const after = await this.edit('annotate.addSpan', { exampleId: ex.id, ...range, type });
    if (after === null) return;
    this.pending = null;
    const added = after.spans.find((s) => s.start === range.start && s.end === range.end && s.source === 'gold');
    this.selectedSpan = added?.id ?? null;
    const text = after.text.slice(range.start, range.end);
    this.notice = {
      tone: 'info',
      text:
        `Added ${type} “${text}”.` +
        (replaced > 0
          ? ` It replaced ${replaced} overlapping span${replaced === 1 ? '' : 's'} (Ctrl+Z restores).`
          : ''),
    };
  }

  /** Adds a pending span on every other whole-token match of the selected span's text. */
  async labelAll(): Promise<void> {
    const span = this.selected();
    const ex = this.example;
    if (span === null || ex === null) return;
    const text = ex.text.slice(span.start, span.end);
    const outcome = await this.#call('annotate.labelAll', { datasetId: ex.datasetId, text, type: span.type });
    if (outcome === null) return;
    this.notice = {
      tone: 'info',
      text:
        `Labelled ${outcome.added} more occurrence${outcome.added === 1 ? '' : 's'} of “${text}” as ${span.type}` +
        ` in ${outcome.examples} example${outcome.examples === 1 ? '' : 's'}` +
        (outcome.skipped > 0 ? ` (${outcome.skipped} already labelled or rejected, left alone)` : '') +
        (outcome.added > 0 ? '. One Ctrl+Z removes them all.' : '.'),
    };
    await this.#afterBulkChange(ex.id);
  }

  async undoRedo(which: 'undo' | 'redo'): Promise<void> {
    if (this.projectId === null) return;
    const outcome = await this.#call(which === 'undo' ? 'annotate.undo' : 'annotate.redo', {
      projectId: this.projectId,
    });
    if (outcome === null) return;
    const entry = outcome.entry;
    if (entry === null) {
      this.notice = { tone: 'info', text: which === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.' };
      return;
    }
    this.notice = { tone: 'info', text: `${which === 'undo' ? 'Undid' : 'Redid'}: ${entry.summary}` };
    await this.#afterBulkChange(entry.exampleId ?? this.example?.id ?? null);
  }

  /** Runs the silver labeler over the dataset, following its progress events. */
  async runLabeler(): Promise<void> {
    const datasetId = this.datasetId;
    if (datasetId === null || this.labeler.phase === 'running') return;
    this.labeler = { phase: 'running', done: 0, total: this.stats?.total ?? 0, spans: 0 };
    const stop = this.api.onEvent((event) => {
      if (event.type !== 'annotate.label' || event.datasetId !== datasetId) return;
      if (event.progress.kind === 'progress' && this.labeler.phase === 'running') {
        this.labeler = { phase: 'running', ...event.progress };
      }
    });
    try {
      const summary = await this.#call('annotate.labelDataset', { datasetId });
      this.labeler = summary === null ? { phase: 'idle' } : { phase: 'done', summary };
      await this.#afterBulkChange(this.example?.id ?? null);
    } finally {
      stop();
    }
  }

  async cancelLabeler(): Promise<void> {
    if (this.datasetId !== null) await this.#call('annotate.cancelLabel', { datasetId: this.datasetId });
  }

  async refreshStats(): Promise<void> {
    if (this.datasetId === null) return;
    const stats = await this.#call('datasets.stats', { datasetId: this.datasetId });
    if (stats !== null) this.stats = stats;
  }

  async refreshHistory(): Promise<void> {
    if (this.projectId === null) return;
    const entries = await this.#call('annotate.history', { projectId: this.projectId, limit: 30 });
    if (entries !== null) this.history = entries;
  }

  /** The selected span, if it still exists. */
  selected(): SpanInfo | null {
    return this.example?.spans.find((s) => s.id === this.selectedSpan) ?? null;
  }

  /** Selects the next (+1) or previous (-1) span that is not rejected, in text order, wrapping round. */
  cycleSpan(delta: 1 | -1): void {
    const spans = (this.example?.spans ?? []).filter((s) => s.status !== 'rejected');
    if (spans.length === 0) return;
    const at = spans.findIndex((s) => s.id === this.selectedSpan);
    const next = at < 0 ? (delta > 0 ? 0 : spans.length - 1) : (at + delta + spans.length) % spans.length;
    this.selectedSpan = spans[next]?.id ?? null;
    this.pending = null;
  }

  /** After edits that may touch many rows: refetch the visible list, the open example, stats, history. */
  async #afterBulkChange(exampleId: ExampleId | null): Promise<void> {
    this.rows.invalidate();
    await Promise.all([this.refreshStats(), this.refreshHistory()]);
    if (exampleId !== null) await this.openExample(exampleId);
  }

  async #load(id: ExampleId, ticket: number): Promise<void> {
    const ex = await this.#call('annotate.getExample', { exampleId: id });
    if (ex === null || ticket !== this.#opening) return;
    if (this.example?.id !== ex.id) {
      this.pending = null;
      this.selectedSpan = null;
    }
    this.#show(ex);
  }

  #show(ex: ExampleInfo): void {
    this.example = ex;
    if (!ex.spans.some((s) => s.id === this.selectedSpan)) this.selectedSpan = null;
    this.rows.patch(rowOf(ex));
  }

  /** Calls the API; a failure becomes the screen's error (a readable sentence) and null. */
  async #call<M extends MethodName>(method: M, input: InputOf<M>): Promise<OutputOf<M> | null> {
    const result = await this.api.invoke(method, input);
    if (!result.ok) {
      this.error = result.error;
      return null;
    }
    this.error = null;
    return result.value;
  }
}
