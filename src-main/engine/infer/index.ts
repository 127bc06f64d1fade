export { DEFAULT_BATCH_SIZE, Predictor, type PredictorOptions } from './predictor';
export type {
  ClassProb,
  HeadLabels,
  PredictedEntity,
  PredictError,
  PredictErrorCode,
  PredictionFailed,
  PredictionOk,
  TextPrediction,
} from './types';
export type {
  BatchFeeds,
  EncodedSequence,
  EncodedWindow,
  ForwardFn,
  ForwardOutputs,
  OutputRequest,
  PredictorTokenizer,
} from './ports';
export { decodeEntities, type TokenLayout } from './decode';
export { stitchWindows, type OwnedWindow, type StitchedSequence } from './stitch';
export { createInferenceSession, inferenceModelBytes, type Precision, sessionFeeds, sessionForward } from './runner';
export {
  exportBundle,
  maxAbsDiff,
  type ExportOptions,
  type ExportReport,
  type ExportSource,
  type Int8Drift,
  type ParityResult,
} from './export';
export { formatSize, type ModelCardInfo } from './bundle-files';
export { buildExportGraph, buildHeadGraph, type HeadKind } from './graphs';
export {
  autoWorkers,
  batchParallelism,
  type BatchPredictor,
  checkpointExportSource,
  checkpointModel,
  coreWorkers,
  exportCheckpoint,
  loadBatchPredictor,
  loadPredictor,
  type LoadedPredictor,
  type LoadPredictorOptions,
} from './load';
export { createForwardPool, type ForwardPool, type ForwardPoolOptions } from './forward-pool';
export { ExportParityError, ExportPathError, InferenceError } from './errors';
export { filesOnDisk, uniqueBytes, type BundleFileOnDisk } from './bundle-writer';
