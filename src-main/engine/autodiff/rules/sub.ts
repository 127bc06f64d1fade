import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d(a - b) = (dy, -dy). */
export const subGrad: GradRule = ({ g, dy, needs }) => [needs(0) ? dy : null, needs(1) ? op.neg(g, dy) : null];
