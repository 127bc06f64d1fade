import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d(a * b) = (dy * b, dy * a), in the broadcast output shape. */
export const mulGrad: GradRule = ({ g, dy, input, needs }) => [
  needs(0) ? op.mul(g, dy, input(1)) : null,
  needs(1) ? op.mul(g, dy, input(0)) : null,
];
