// The model picker: BERT-family models from the Hugging Face hub (search, size before download, a download in
// the background with progress, cancel and resume) and the models already in the shared HF cache.
import type { NoInput } from './core';

/** A repo the hub's search found. */
export interface HubModelHit {
  readonly repoId: string;
  readonly downloads: number;
  readonly likes: number;
  /** The hub's task tag (e.g. 'sentence-similarity', 'fill-mask'), or null. */
  readonly pipelineTag: string | null;
}

/** What downloading a repo would fetch, and whether the app can train it (read from its config.json). */
export interface ModelInspection {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  /** Bytes of the files a download fetches (config, tokenizer, model.safetensors). */
  readonly totalBytes: number;
  /** Of those, bytes already on this machine (complete files, and parts kept from a cancelled download). */
  readonly cachedBytes: number;
  readonly encoder:
    | { readonly ok: true; readonly layers: number; readonly hidden: number; readonly maxPositions: number }
    /** Why the app cannot train it (not BERT-family, ...), in plain words. */
    | { readonly ok: false; readonly reason: string };
}

/** A model repo in the cache, usable offline. */
export interface CachedModelInfo {
  readonly repoId: string;
  /** Branches and tags pulled (usually 'main'). */
  readonly revisions: readonly string[];
  readonly bytes: number;
  /** The snapshot folder of 'main' when it is complete (config, weights, vocabulary), else null. */
  readonly dir: string | null;
}

export type ModelDownloadState = 'running' | 'completed' | 'cancelled' | 'failed';

/** A download started from the app, as the picker shows it. */
export interface ModelDownloadInfo {
  /** Tells two downloads of the same repo apart (a new one after a cancel). */
  readonly id: number;
  readonly repoId: string;
  readonly revision: string;
  readonly state: ModelDownloadState;
  /** The file being fetched. */
  readonly file: string | null;
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** Recent transfer rate (0 before the first bytes). */
  readonly bytesPerSec: number;
  /** Seconds left at that rate; null while unknown. */
  readonly etaSec: number | null;
  /** The snapshot folder, once completed. */
  readonly dir: string | null;
  /** What went wrong and what to do, when failed or cancelled. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** `models.download` events: a download's progress (a few a second) and its end. */
export interface ModelsApiEvent {
  readonly type: 'models.download';
  readonly download: ModelDownloadInfo;
}

export interface ModelsMethods {
  /** Repos on the hub whose id contains the query, most downloaded first. */
  'models.search': {
    readonly input: { readonly query: string; readonly limit?: number };
    readonly output: { readonly hits: readonly HubModelHit[] };
  };
  /** Size of a download before it starts, and whether the repo is a BERT-family encoder (fetches config.json). */
  'models.inspect': {
    readonly input: { readonly repoId: string; readonly revision?: string };
    readonly output: ModelInspection;
  };
  /** The models in the Hugging Face cache (offline). */
  'models.list': {
    readonly input: NoInput;
    readonly output: { readonly cacheDir: string; readonly models: readonly CachedModelInfo[] };
  };
  /** Starts downloading in the background (resuming what a cancelled one kept); progress as events. */
  'models.download': {
    readonly input: { readonly repoId: string; readonly revision?: string };
    readonly output: ModelDownloadInfo;
  };
  /** Stops a running download; what it fetched stays for the next download to resume. */
  'models.cancelDownload': {
    readonly input: { readonly repoId: string; readonly revision?: string };
    readonly output: { readonly cancelled: boolean };
  };
  /** Downloads started in this session (running ones first), for a screen opened later. */
  'models.downloads': {
    readonly input: NoInput;
    readonly output: { readonly downloads: readonly ModelDownloadInfo[] };
  };
}
