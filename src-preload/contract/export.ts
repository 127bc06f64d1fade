// Export screen: writing a run's model bundle and checking it against the in-app predictor.
import type { RunId } from './core';

export interface ExportRunInput {
  readonly runId: RunId;
  /** Absolute path of an existing folder on the machine running the backend; the bundle becomes a folder inside it. */
  readonly folder: string;
  /** Bundle folder name inside `folder` (default "<run name>-run<id>"); may not leave `folder`. */
  readonly name?: string;
  /** Replace an existing bundle of that name (only after the new one passed its parity check). */
  readonly overwrite?: boolean;
  /** Also write int8 graphs (model.int8.onnx, per head onnx/model_quantized.onnx), parity-checked the same way. */
  readonly int8?: boolean;
}

export interface ExportResultInfo {
  readonly outDir: string;
  /**
   * Bundle-relative file names with their sizes; `sameAs` names the file this one is a hard link of (same bytes on
   * disk, counted once: the head folders' weights and tokenizer files).
   */
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sameAs?: string }[];
  /** Largest difference per exported output between the bundle and the in-app predictor. */
  readonly parity: readonly { readonly file: string; readonly output: string; readonly maxAbsDiff: number }[];
  /** The largest of them; an export above the engine's tolerance fails instead of returning. */
  readonly worstParity: number;
  /** SHA-256 over the bundle's files, as recorded with the run. */
  readonly sha256: string;
  /** With int8: share of the sample texts (classes) and tokens (tags) where int8 picks what fp32 picks. */
  readonly int8Agreement?: { readonly sameClass: number | null; readonly sameTag: number | null };
}

export interface ExportMethods {
  /** Writes the run's export bundle and checks it against the in-app predictor. */
  'export.run': { readonly input: ExportRunInput; readonly output: ExportResultInfo };
}
