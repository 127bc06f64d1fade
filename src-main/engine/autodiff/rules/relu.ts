import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d relu(x) = dy where x > 0, else 0 (0 at x = 0, as in PyTorch). */
export const reluGrad: GradRule = ({ g, dy, input }) => {
  const zero = g.scalar(0, dy.dtype);
  return [op.where(g, op.greater(g, input(0), zero), dy, zero)];
};
