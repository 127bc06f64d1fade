// The multi-task BERT (encoder, heads, losses, freeze presets) on the graph builder, its weights and checkpoints (README.md).
export type { BertDims } from './dims';
export { FreezePresetError, ModelConfigError, ParameterError } from './errors';
export { encoderParamSpecs, headParamSpecs, type ParamSpec } from './param-names';
export { declareParamInitializers, type ParamStore } from './param-store';
export { initEncoder, initHeads, randomTensors } from './init';
export { buildEncoder } from './encoder';
export { pool, type PoolingMode } from './pooling';
export { classificationHead, tokenClassificationHead } from './heads';
export {
  hasLabels,
  IGNORE_INDEX,
  maskedCrossEntropy,
  uncertaintyWeightedSum,
  weightedCrossEntropy,
  weightedSum,
} from './losses';
export {
  FREEZE_PRESETS,
  type FreezeConfig,
  freezeConfigSchema,
  type FreezePreset,
  type ParamPartition,
  partitionParams,
  type TaskSizes,
} from './freeze';
export {
  BATCH_INPUTS,
  buildHeadsForward,
  buildMultiTaskForward,
  declareBatchInputs,
  type ForwardOptions,
  LOG_VAR_NAMES,
  type MultiTaskSpec,
  type TaskWeighting,
} from './multitask';
export { buildFeatureGraph, declareFeatureInputs, FEATURE_DTYPE, type FeatureDType, FEATURES_NAME } from './features';
export { buildEncoderGraph, buildInferenceGraph } from './inference-graph';
export {
  buildModelAccumulationGraphs,
  buildModelEvalGraph,
  buildModelTrainingGraph,
  DEFAULT_DROPOUT,
  type DropoutRates,
  type EmbeddingUpdates,
  lazyEmbeddingUpdates,
  logVarSpecs,
  type ModelAccumulationGraphs,
  type ModelTrainingGraph,
  type ModelTrainingSpec,
  encoderFrozen,
  headsPartition,
  trainingPartition,
  trainingSpecPartition,
} from './training-graph';
export { type EncoderSource, type ModelParams, newModelParams } from './model-params';
export { type HfBertConfig, HfModelError, loadBertEncoder, loadHfBertConfig } from './hf-config';
export { fsyncDir, readSafetensors, SafetensorsError, serializeSafetensors } from './safetensors';
export { type Checkpoint, CheckpointError, loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';
export { int8Linear } from './quantize';
