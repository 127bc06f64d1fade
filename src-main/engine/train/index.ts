export * from './config';
export * from './events';
export * from './example';
export { evaluate, type EvalLabels } from './evaluate';
export { train, type TrainerData, type TrainerModel, type TrainerRun, type TrainResult } from './trainer';
export { autoDeviceOrder, openOnDevice } from './device-choice';
export { Rng } from './rng';
