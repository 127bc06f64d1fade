// System feature (About this machine): versions, execution-provider probes, the backend's file listing.
import type { NoInput } from './core';

export type ExecutionProviderName = 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';

/** What `system.about` reports; cheap, no ONNX sessions are created. */
export interface AboutInfo {
  readonly appVersion: string;
  /** Which transport served this call; the UI must not branch on it, it is shown for support only. */
  readonly runtime: 'electron' | 'node';
  readonly versions: {
    readonly node: string;
    readonly electron: string | null;
    readonly chrome: string | null;
    readonly v8: string;
    readonly onnxruntimeNode: string;
  };
  readonly platform: { readonly os: string; readonly arch: string; readonly release: string };
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly memory: { readonly totalBytes: number; readonly freeBytes: number };
  /** Folder of the project database on the backend's machine. */
  readonly dataDir: string;
  /** Backends the onnxruntime-node binding was built with; `bundled: false` means extra libraries are needed. */
  readonly ortBackends: readonly { readonly name: string; readonly bundled: boolean }[];
}

/** Outcome of creating and running a tiny Add model on one execution provider, in a child process. */
export type ProviderProbe =
  | {
      readonly provider: ExecutionProviderName;
      readonly status: 'available';
      readonly ortVersion: string;
      /** Milliseconds for session creation plus one run. */
      readonly ms: number;
      /**
       * WebGPU only: 'software' when the only adapter is a CPU rasterizer (Mesa lavapipe, SwiftShader: slower
       * than the CPU provider; Automatic never picks it); 'unknown' where this cannot be told (not Linux).
       */
      readonly adapter?: 'hardware' | 'software' | 'unknown';
    }
  | {
      readonly provider: ExecutionProviderName;
      readonly status: 'unavailable';
      /** The exact error text onnxruntime gave. */
      readonly error: string;
      /** What onnxruntime logged on stderr meanwhile (often names the missing library); empty if nothing. */
      readonly log: string;
      readonly ms: number;
    }
  | { readonly provider: ExecutionProviderName; readonly status: 'timeout'; readonly afterMs: number }
  | {
      readonly provider: ExecutionProviderName;
      readonly status: 'crashed';
      /** Exit code or signal plus the tail of stderr. */
      readonly detail: string;
    };

export interface ProbeProvidersInput {
  /** Which providers to try; all five when omitted. */
  readonly providers?: readonly ExecutionProviderName[];
  /** Per-probe limit in milliseconds (default 20 000). */
  readonly timeoutMs?: number;
}

export interface ProbeProvidersOutput {
  readonly probes: readonly ProviderProbe[];
}

/** One folder's contents on the backend's machine, for picking files to import (same in Electron and browser). */
export interface ListFilesInput {
  /** Absolute folder; the user's home folder when omitted. */
  readonly dir?: string;
  /** Include names starting with a dot (default false). */
  readonly showHidden?: boolean;
}

export interface FileEntry {
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  readonly kind: 'dir' | 'file';
  /** Size of files; null for folders. */
  readonly bytes: number | null;
}

export interface ListFilesOutput {
  /** The folder listed (absolute, normalised). */
  readonly dir: string;
  /** Its parent, or null at the file-system root. */
  readonly parent: string | null;
  /** Folders first, then files, each sorted by name. */
  readonly entries: readonly FileEntry[];
  /** True when the folder held more entries than were returned. */
  readonly truncated: boolean;
}

/** `system.probe`: one probe finished; `system.log`: a message for the UI's log. */
export type SystemApiEvent =
  | {
      readonly type: 'system.probe';
      /** One provider finished probing; lets the UI fill the table as results arrive. */
      readonly probe: ProviderProbe;
    }
  | {
      readonly type: 'system.log';
      readonly level: 'info' | 'warn' | 'error';
      readonly message: string;
    };

export interface SystemMethods {
  'system.about': { readonly input: NoInput; readonly output: AboutInfo };
  'system.probeProviders': { readonly input: ProbeProvidersInput; readonly output: ProbeProvidersOutput };
  'system.listFiles': { readonly input: ListFilesInput; readonly output: ListFilesOutput };
}
