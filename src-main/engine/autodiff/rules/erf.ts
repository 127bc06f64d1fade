import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d erf(x) = dy * 2/sqrt(pi) * exp(-x^2). */
export const erfGrad: GradRule = ({ g, dy, input }) => {
  const x = input(0);
  const bell = op.exp(g, op.neg(g, op.mul(g, x, x))); // same shape as x
  return [op.mul(g, dy, op.mulScalar(g, bell, 2 / Math.sqrt(Math.PI)))];
};
