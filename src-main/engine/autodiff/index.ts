// Reverse-mode gradients in standard ONNX ops (README.md).
export { type GatherGradient, grad, type GradOptions } from './grad';
export { AutodiffError } from './errors';
export { stopGradient } from './stop-gradient';
export { unbroadcast } from './unbroadcast';
export type { GradContext, GradRule } from './rule';
export { DIFFERENTIABLE_OPS, GRAD_RULES, isDifferentiable, ONE_HOT_MAX_ROWS, type OpType } from './rules';
export {
  type CrossEntropyOptions,
  gelu,
  logSoftmax,
  softmax,
  softmaxCrossEntropy,
  type SoftmaxScaling,
} from './composites';
