import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d|x| = dy * sign(x) with sign(0) = 0, built from Where because Sign is not in the portable op set. */
export const absGrad: GradRule = ({ g, dy, input }) => {
  const x = input(0);
  const zero = g.scalar(0, x.dtype);
  const negative = op.where(g, op.less(g, x, zero), op.neg(g, dy), zero);
  return [op.where(g, op.greater(g, x, zero), dy, negative)];
};
