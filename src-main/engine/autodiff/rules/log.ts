import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d log(x) = dy / x. */
export const logGrad: GradRule = ({ g, dy, input }) => [op.div(g, dy, input(0))];
