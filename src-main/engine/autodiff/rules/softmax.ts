import { op } from '../../onnx';
import type { GradRule } from '../rule';

/** d softmax: y * (dy - sum(dy * y, axis)). */
export const softmaxGrad: GradRule = ({ g, dy, y, attrInt }) => {
  const axis = attrInt('axis', -1);
  const dot = op.reduceSum(g, op.mul(g, dy, y), [axis], true); // [..., 1, ...]
  return [op.mul(g, y, op.sub(g, dy, dot))];
};
