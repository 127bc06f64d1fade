// Entry points from a saved checkpoint folder: a ready predictor, and an export bundle.
import { loadCheckpoint, type Checkpoint, type MultiTaskSpec, type ParamStore } from '../model';
import type { Session, SessionOptions } from '../runtime';
import { WordPieceTokenizer } from '../tokenizer';
import { exportBundle, type ExportOptions, type ExportReport, type ExportSource } from './export';
import type { ModelCardInfo } from './bundle-files';
import { InferenceError } from './errors';
import { Predictor, type PredictorOptions } from './predictor';
import { createInferenceSession, type Precision, sessionForward } from './runner';
import type { HeadLabels } from './types';

/** The model parts a checkpoint declares: spec, weights, labels. */
export function checkpointModel(ckpt: Checkpoint): {
  readonly spec: MultiTaskSpec;
  readonly store: ParamStore;
  readonly labels: HeadLabels;
} {
  const labels: HeadLabels = {
    classification: ckpt.meta.heads.classification?.labels ?? [],
    ner: ckpt.meta.heads.ner?.labels ?? [],
  };
  const spec: MultiTaskSpec = {
    dims: ckpt.config.dims,
    numClasses: labels.classification.length,
    numNerLabels: labels.ner.length,
    pooling: ckpt.meta.pooling,
  };
  return { spec, store: ckpt.params, labels };
}

/** An export source for a checkpoint folder (its own tokenizer files and config.json). */
export function checkpointExportSource(dir: string): ExportSource & { readonly maxLength?: number } {
  const ckpt = loadCheckpoint(dir);
  const { spec, store, labels } = checkpointModel(ckpt);
  return {
    spec,
    store,
    labels,
    tokenizerDir: dir,
    hfConfig: ckpt.config.raw,
    ...(ckpt.meta.maxLength !== undefined && { maxLength: ckpt.meta.maxLength }),
  };
}

/** exportBundle for a checkpoint folder; the token limit defaults to the one the checkpoint was trained with. */
export async function exportCheckpoint(
  dir: string,
  outDir: string,
  card: ModelCardInfo,
  options: ExportOptions = {},
): Promise<ExportReport> {
  const source = checkpointExportSource(dir);
  return exportBundle(source, outDir, card, {
    ...(source.maxLength !== undefined && { maxLength: source.maxLength }),
    ...options,
  });
}

/** A predictor with its session; call release() when done. */
export interface LoadedPredictor {
  readonly predictor: Predictor;
  readonly session: Session;
  release(): Promise<void>;
}

/** Loads a checkpoint folder into a ready predictor on the requested device and precision (fp32 default). */
export async function loadPredictor(
  dir: string,
  options: PredictorOptions & { readonly session?: SessionOptions; readonly precision?: Precision } = {},
): Promise<LoadedPredictor> {
  const ckpt = loadCheckpoint(dir);
  const { spec, store, labels } = checkpointModel(ckpt);
  const maxLength = options.maxLength ?? ckpt.meta.maxLength ?? 128;
  if (maxLength > spec.dims.maxPositions) {
    throw new InferenceError(
      `maxLength ${maxLength} exceeds the model's ${spec.dims.maxPositions} positions (max_position_embeddings); use at most ${spec.dims.maxPositions}.`,
    );
  }
  const session = await createInferenceSession(spec, store, options.session, options.precision);
  const predictor = new Predictor(WordPieceTokenizer.fromDir(dir), sessionForward(session), labels, {
    ...options,
    maxLength,
  });
  return { predictor, session, release: () => session.release() };
}
