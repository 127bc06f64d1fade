// The training loop (train), its worker (trainInWorker), config, events and evaluation.
export {
  parseTrainerConfig,
  type TrainerConfig,
  TrainerConfigError,
  type TrainerConfigInput,
  trainerConfigSchema,
} from './config';
export type { ClassMetrics, DeviceReport, EvalMetrics, NerMetrics, StepLosses, TrainEvent } from './events';
export { IGNORE, type TrainExample, trainingFeeds, validateExamples } from './example';
export { type EvalLabels, evaluate } from './evaluate';
export { train } from './trainer';
export { effectiveEmbeddingUpdates } from './stepper';
export {
  autoSelectMetric,
  resolveSelectMetric,
  SELECT_METRICS,
  type SelectMetric,
  type SelectMetricChoice,
  selectMetricValue,
} from './select-metric';
export { autoDeviceOrder, chooseDevice, type DeviceProbes } from './device-choice';
export { type DeviceMeasurement } from './calibrate';
export { loadTrainerModel } from './load-model';
export { defaultWorkerScript, TrainingFailedError, trainInWorker, type WorkerRunOptions } from './run-in-worker';
export type { TrainJob } from './worker-protocol';
export { planTrainingEpoch } from './epoch-plan';
export { featureCacheBytes } from './feature-cache';
export { plannedFeatureCacheBytes } from './frozen-features';
export { resumeInfoSchema } from './resume-state';
export type { TrainerData, TrainerModel, TrainerRun, TrainResult } from './types';
export { CheckpointSaveError } from './checkpoint-hook';
export { DeviceRunFailedError } from './trainer';
export {
  type Advice,
  advisorEval,
  type AdvisorEval,
  type AdvisorRecipe,
  type AdvisorStep,
  type AdvisorTask,
  adviseRun,
  curvesFromEvents,
} from './advisor';
