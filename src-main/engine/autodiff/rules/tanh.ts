import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d tanh(x) = dy * (1 - y^2). */
export const tanhGrad: GradRule = ({ g, dy, y }) => [op.mul(g, dy, op.sub(g, g.scalar(1, y.dtype), op.mul(g, y, y)))];
