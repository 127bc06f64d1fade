// AdamW with global-norm clipping as graph ops, and learning-rate schedules computed on the host.
export {
  type AdamWConfig,
  type AdamWFragment,
  type AdamWFragmentOptions,
  type AdamWParam,
  addAdamW,
  DEFAULT_ADAMW,
  GRAD_NORM_OUTPUT,
  stateNames,
  STEP_INPUT,
  stepScalars,
} from './adamw';
export { learningRate, type LrSchedule, lrScheduleSchema, ScheduleError, warmupStepsFromRatio } from './schedule';
