import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d exp(x) = dy * y. */
export const expGrad: GradRule = ({ g, dy, y }) => [op.mul(g, dy, y)];
