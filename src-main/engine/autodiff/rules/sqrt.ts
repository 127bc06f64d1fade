import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d sqrt(x) = dy * 0.5 / y. */
export const sqrtGrad: GradRule = ({ g, dy, y }) => [op.div(g, op.mulScalar(g, dy, 0.5), y)];
