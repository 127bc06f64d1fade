// Training use-cases: plan, start, follow, cancel; and the run analyses the Runs screen needs.
export * from './schemas';
export type { TrainingOutcome, TrainingServiceEvent, TrainingStarted } from './types';
export { trainingPlan, groupOf, type PlanCounts, type PlanParams, type TrainingPlan } from './plan';
export {
  startTraining,
  runTraining,
  waitForTraining,
  cancelTraining,
  trainerConfig,
  type TrainingRuntime,
} from './start';
export { activeRunId } from './active';
export { METRIC, flattenEval } from './recorder';
export { folderDigest, runCheckpointDir } from './artifacts';
export { readTrainingData, type StoredExample, type TrainingData } from './data';
