// One training step as ONNX graphs: forward -> loss -> gradients -> clipping -> AdamW (README.md).
export { buildEvalGraph, buildTrainingGraph } from './build';
export { TrainingGraphError } from './errors';
export {
  ACCUM_SCALE_INPUT,
  type AccumulationGraphs,
  type AccumulationLayout,
  buildAccumulationGraphs,
  gradAccNames,
  type GraphPart,
} from './accumulation';
export { type LazyTable, lazyRowsNames } from './lazy-rows';
export type {
  EvalGraph,
  EvalGraphSpec,
  ForwardBuilder,
  ForwardResult,
  FrozenSpec,
  LazyRowsLayout,
  TrainableSpec,
  TrainingDType,
  TrainingGraph,
  TrainingGraphLayout,
  TrainingGraphSpec,
} from './types';
export { LOSS_OUTPUT } from './parts';
