import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d(1/x) = -dy * y^2. */
export const reciprocalGrad: GradRule = ({ g, dy, y }) => [op.neg(g, op.mul(g, dy, op.mul(g, y, y)))];
