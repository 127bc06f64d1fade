import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d(a / b) = (dy / b, -dy * y / b) with y = a / b (reused rather than recomputing a / b^2). */
export const divGrad: GradRule = ({ g, dy, y, input, needs }) => [
  needs(0) ? op.div(g, dy, input(1)) : null,
  needs(1) ? op.neg(g, op.div(g, op.mul(g, dy, y), input(1))) : null,
];
