import { isFloat, op } from '../../onnx';
import type { GradRule } from '../rule';

/** Cast between float types: cast the gradient back (a cast from an int type has no gradient). */
export const castGrad: GradRule = ({ g, dy, input }) => [
  isFloat(input(0).dtype) ? op.cast(g, dy, input(0).dtype) : null,
];
