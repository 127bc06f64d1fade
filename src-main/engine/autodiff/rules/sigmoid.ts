import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d sigmoid(x) = dy * y * (1 - y). */
export const sigmoidGrad: GradRule = ({ g, dy, y }) => [
  op.mul(g, op.mul(g, dy, y), op.sub(g, g.scalar(1, y.dtype), y)),
];
