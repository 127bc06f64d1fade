export { grad, type GradOptions } from './grad';
export { AutodiffError } from './errors';
export { stopGradient } from './stop-gradient';
export { unbroadcast } from './unbroadcast';
export type { GradContext, GradRule } from './rule';
export { DIFFERENTIABLE_OPS, GRAD_RULES, isDifferentiable, type OpType } from './rules';
export * from './composites';
