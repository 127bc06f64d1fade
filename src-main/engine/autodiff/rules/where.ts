import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** where(c, a, b): dy goes to a where c holds and to b elsewhere; the bool condition gets none. */
export const whereGrad: GradRule = ({ g, dy, input, needs }) => {
  const c = input(0);
  const zero = g.scalar(0, dy.dtype);
  return [null, needs(1) ? op.where(g, c, dy, zero) : null, needs(2) ? op.where(g, c, zero, dy) : null];
};
