/**
 * State of the model picker: hub search, the chosen repo's size and fitness before a download, the download
 * itself (started on the backend, followed through `models.download` events) and the models already cached.
 */
import type {
  Api,
  ApiError,
  ApiEvent,
  CachedModelInfo,
  HubModelHit,
  ModelDownloadInfo,
  ModelInspection,
} from '../../../src-preload/contract';

/** What the picker knows about the chosen repo. */
export type Inspected =
  | { readonly state: 'none' }
  | { readonly state: 'loading'; readonly repoId: string }
  | { readonly state: 'ready'; readonly repoId: string; readonly value: ModelInspection }
  | { readonly state: 'failed'; readonly repoId: string; readonly error: ApiError };

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

export class ModelPickerState {
  query = $state('');
  hits = $state.raw<readonly HubModelHit[] | null>(null);
  searching = $state(false);
  searchError = $state.raw<ApiError | null>(null);
  inspected = $state.raw<Inspected>({ state: 'none' });
  cached = $state.raw<readonly CachedModelInfo[]>([]);
  cacheDir = $state('');
  /** Downloads of this session by repo id (newest state from events). */
  downloads = $state.raw<Readonly<Record<string, ModelDownloadInfo>>>({});
  actionError = $state.raw<ApiError | null>(null);

  constructor(private readonly api: Api) {}

  /** The cached models and the downloads already running (the screen may open mid-download). */
  async load(): Promise<void> {
    const [list, downloads] = await Promise.all([
      this.api.invoke('models.list', {}),
      this.api.invoke('models.downloads', {}),
    ]);
    if (list.ok) {
      this.cached = list.value.models;
      this.cacheDir = list.value.cacheDir;
    }
    if (downloads.ok) {
      this.downloads = Object.fromEntries(downloads.value.downloads.map((d) => [d.repoId, d]));
    }
  }

  /** Searches the hub; a query shaped like org/name is also offered as it is (the search may not list it). */
  async search(): Promise<void> {
    const query = this.query.trim();
    if (query === '') return;
    this.searching = true;
    this.searchError = null;
    const result = await this.api.invoke('models.search', { query });
    this.searching = false;
    const exact: HubModelHit = { repoId: query, downloads: 0, likes: 0, pipelineTag: null };
    if (result.ok) {
      const hits = result.value.hits;
      this.hits = REPO_ID.test(query) && !hits.some((h) => h.repoId === query) ? [exact, ...hits] : hits;
    } else {
      this.hits = REPO_ID.test(query) ? [exact] : [];
      this.searchError = result.error;
    }
  }

  /** Chooses a repo: its size, what is already here, and whether the app can train it. */
  async inspect(repoId: string): Promise<void> {
    this.inspected = { state: 'loading', repoId };
    this.actionError = null;
    const result = await this.api.invoke('models.inspect', { repoId });
    if (this.selectedId() !== repoId) return; // another repo was chosen meanwhile
    this.inspected = result.ok
      ? { state: 'ready', repoId, value: result.value }
      : { state: 'failed', repoId, error: result.error };
  }

  selectedId(): string | null {
    return this.inspected.state === 'none' ? null : this.inspected.repoId;
  }

  /** The download of the chosen repo in this session, if any. */
  selectedDownload(): ModelDownloadInfo | null {
    const id = this.selectedId();
    return id === null ? null : (this.downloads[id] ?? null);
  }

  /** The cached snapshot of `repoId`, when complete. */
  cachedDir(repoId: string): string | null {
    return this.cached.find((m) => m.repoId === repoId)?.dir ?? null;
  }

  async download(): Promise<void> {
    const id = this.selectedId();
    if (id === null) return;
    this.actionError = null;
    const result = await this.api.invoke('models.download', { repoId: id });
    if (result.ok) this.track(result.value);
    else this.actionError = result.error;
  }

  async cancel(): Promise<void> {
    const id = this.selectedId();
    if (id === null) return;
    const result = await this.api.invoke('models.cancelDownload', { repoId: id });
    if (!result.ok) this.actionError = result.error;
  }

  onEvent = (e: ApiEvent): void => {
    if (e.type !== 'models.download') return;
    this.track(e.download);
    if (e.download.state !== 'running') {
      void this.load();
      // The size line says what is kept after a cancel, and that all is here after a download.
      if (this.selectedId() === e.download.repoId) void this.inspect(e.download.repoId);
    }
  };

  private track(d: ModelDownloadInfo): void {
    const known = this.downloads[d.repoId];
    // Events may overtake the call's own answer: a download that ended does not go back to 'running'.
    if (known?.id === d.id && known.state !== 'running' && d.state === 'running') return;
    this.downloads = { ...this.downloads, [d.repoId]: d };
  }
}

/** 90_200_000 -> "90.2 MB" (decimal, as download sizes are shown everywhere); KB below a megabyte. */
export function megabytes(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(0)} KB`;
  return bytes < 1e9 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e9).toFixed(2)} GB`;
}

/** 75 -> "1 min 15 s"; null -> "". */
export function timeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s left`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s left` : `${Math.floor(m / 60)} h ${m % 60} min left`;
}

/** "12.0 MB of 90.2 MB · 8.1 MB/s · 10 s left" for a running download. */
export function progressLine(d: ModelDownloadInfo): string {
  const parts = [`${megabytes(d.doneBytes)} of ${megabytes(d.totalBytes)}`];
  if (d.bytesPerSec > 0) parts.push(`${megabytes(d.bytesPerSec)}/s`);
  const left = timeLeft(d.etaSec);
  if (left !== '') parts.push(left);
  return parts.join(' · ');
}
