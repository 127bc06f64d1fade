/** State for FilePicker: the folder being shown, loaded through `system.listFiles` on the backend. */
import type { Api, ApiError, ListFilesOutput } from '../../src-preload/contract';

export type Listing =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly value: ListFilesOutput }
  | { readonly state: 'failed'; readonly error: ApiError };

export class FilePickerState {
  listing = $state.raw<Listing>({ state: 'loading' });
  showHidden = $state(false);

  constructor(private readonly api: Api) {}

  /** Shows `dir` (the backend's home folder when undefined); keeps the last good listing's folder on failure. */
  async open(dir: string | undefined): Promise<void> {
    this.listing = { state: 'loading' };
    const input = dir === undefined ? { showHidden: this.showHidden } : { dir, showHidden: this.showHidden };
    const result = await this.api.invoke('system.listFiles', input);
    this.listing = result.ok ? { state: 'ready', value: result.value } : { state: 'failed', error: result.error };
  }
}

/** The folder part of a path typed by the user, when it is absolute (POSIX or Windows); undefined otherwise. */
export function folderOf(filePath: string): string | undefined {
  const trimmed = filePath.trim();
  if (!/^(\/|[A-Za-z]:[\\/])/.test(trimmed)) return undefined;
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut <= 0 ? trimmed.slice(0, 1) : trimmed.slice(0, cut);
}

/** 1536 -> "1.5 KB": compact sizes for file lists. */
export function shortSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
