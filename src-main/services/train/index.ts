// Training use-cases: plan, start, follow, cancel; and the run analyses the Runs screen needs.
export * from './schemas';
export type { TrainingOutcome, TrainingServiceEvent, TrainingStarted } from './types';
export {
  PRESET_RECIPES,
  resolveRecipe,
  stepsPerEpoch,
  type PresetRecipe,
  type ResolvedRecipe,
  type EpochShape,
} from './recipe';
export {
  trainingPlan,
  groupOf,
  type PlanCounts,
  type PlanParams,
  type PlanSource,
  type PlanSources,
  type TrainingPlan,
} from './plan';
export {
  startTraining,
  runTraining,
  waitForTraining,
  cancelTraining,
  trainerConfig,
  type TrainingRuntime,
} from './start';
export { resumeTraining } from './resume';
export { activeRunId } from './active';
export { METRIC, flattenEval } from './recorder';
export { folderDigest, runCheckpointDir } from './artifacts';
export { readTrainingData, type StoredExample, type TrainingData } from './data';
export {
  runCurves,
  compareRuns,
  RunCurvesInput,
  type Curve,
  type RunCurves,
  type ConfigDifference,
  type MetricPoint,
  type RunSummary,
  type RunComparison,
} from './curves';
export {
  runMistakes,
  entityMistakes,
  type ClassMistake,
  type EntityMistake,
  type RunMistakes,
  type MistakesRuntime,
} from './mistakes';
export { runDataInfo } from './run-info';
