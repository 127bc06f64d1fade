import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d(-x) = -dy. */
export const negGrad: GradRule = ({ g, dy }) => [op.neg(g, dy)];
