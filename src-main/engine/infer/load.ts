// Entry points from a saved checkpoint folder: a ready predictor, and an export bundle.
import { availableParallelism } from 'node:os';
import { loadCheckpoint, type Checkpoint, type MultiTaskSpec, type ParamStore } from '../model';
import type { Device, Session, SessionOptions } from '../runtime';
import { WordPieceTokenizer } from '../tokenizer';
import { exportBundle, type ExportOptions, type ExportReport, type ExportSource } from './export';
import type { ModelCardInfo } from './bundle-files';
import { InferenceError } from './errors';
import { Predictor, type PredictorOptions } from './predictor';
import { createForwardPool } from './forward-pool';
import { createInferenceSession, inferenceModelBytes, type Precision, sessionForward } from './runner';
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

export interface LoadPredictorOptions extends PredictorOptions {
  readonly session?: SessionOptions;
  readonly precision?: Precision;
}

/** Loads a checkpoint folder into a ready predictor on the requested device and precision (fp32 default). */
export async function loadPredictor(dir: string, options: LoadPredictorOptions = {}): Promise<LoadedPredictor> {
  const { spec, store, labels, maxLength } = predictorModel(dir, options);
  const session = await createInferenceSession(spec, store, options.session, options.precision);
  const predictor = new Predictor(WordPieceTokenizer.fromDir(dir), sessionForward(session), labels, {
    ...options,
    maxLength,
  });
  return { predictor, session, release: () => session.release() };
}

/** A predictor for batch jobs and how many workers run its batches; call release() when done. */
export interface BatchPredictor {
  readonly predictor: Predictor;
  /** Worker threads running batches side by side (1: one session in this thread). */
  readonly workers: number;
  /** True once a worker of the pool crashed or exited: predictions fail from then on; release and reload. */
  broken(): boolean;
  release(): Promise<void>;
}

/**
 * loadPredictor for batch jobs (a file, a dataset): on the CPU with `workers` > 1 the batches run side by side
 * on that many worker threads, each with its own session of `session.threads` (default 1) intra-op threads:
 * more texts per second than one session with as many threads, at a session's memory per worker.
 */
export async function loadBatchPredictor(
  dir: string,
  options: LoadPredictorOptions & { readonly workers: number },
): Promise<BatchPredictor> {
  const { workers } = options;
  const device = options.session?.device ?? 'cpu';
  if (workers <= 1 || device !== 'cpu') {
    const loaded = await loadPredictor(dir, options);
    return { predictor: loaded.predictor, workers: 1, broken: () => false, release: loaded.release };
  }
  const { spec, store, labels, maxLength } = predictorModel(dir, options);
  const model = inferenceModelBytes(spec, store, options.precision);
  const pool = await createForwardPool(model, { workers, threadsPerWorker: options.session?.threads ?? 1 });
  const predictor = new Predictor(WordPieceTokenizer.fromDir(dir), pool.forward, labels, {
    ...options,
    maxLength,
    inFlight: workers,
  });
  return { predictor, workers, broken: pool.broken, release: pool.release };
}

/**
 * Workers for a batch job of `texts` texts: one per core (at most 4, at most `threads` when given) once there
 * are more than two batches to share; 1 below that, where a pool's start-up would cost more than it saves.
 */
export function autoWorkers(texts: number, batchSize: number, threads?: number): number {
  return texts <= 2 * batchSize ? 1 : coreWorkers(threads);
}

/**
 * How a batch job of `texts` texts runs within a budget of `threads` CPU threads (default: every core): on the CPU
 * one one-thread worker per core (autoWorkers) above two batches, else one session with the whole budget; on
 * another device one session there.
 */
export function batchParallelism(
  texts: number,
  batchSize: number,
  budget: { readonly threads?: number; readonly device?: Device } = {},
): { readonly workers: number; readonly session?: SessionOptions } {
  const { threads, device } = budget;
  const workers = device === undefined || device === 'cpu' ? autoWorkers(texts, batchSize, threads) : 1;
  if (workers > 1 || (device === undefined && threads === undefined)) return { workers };
  return { workers, session: { ...(device && { device }), ...(threads !== undefined && { threads }) } };
}

/** One worker per core, at most 4 (and at most `threads` when given). */
export function coreWorkers(threads?: number): number {
  return Math.max(1, Math.min(4, threads ?? availableParallelism()));
}

/** A checkpoint's model parts and the token limit its predictor uses (checked against the positions). */
function predictorModel(dir: string, options: PredictorOptions) {
  const ckpt = loadCheckpoint(dir);
  const { spec, store, labels } = checkpointModel(ckpt);
  const maxLength = options.maxLength ?? ckpt.meta.maxLength ?? 128;
  if (maxLength > spec.dims.maxPositions) {
    throw new InferenceError(
      `maxLength ${maxLength} exceeds the model's ${spec.dims.maxPositions} positions (max_position_embeddings); use at most ${spec.dims.maxPositions}.`,
    );
  }
  return { spec, store, labels, maxLength };
}
