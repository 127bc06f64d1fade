import { op } from '../../onnx';
import { invertPerm, range } from '../helpers';
import type { GradRule } from '../rule';

/** Transpose back with the inverse permutation (no perm attribute = reverse the axes). */
export const transposeGrad: GradRule = ({ g, dy, attrInts }) => {
  const perm = attrInts('perm') ?? range(dy.shape.length).reverse();
  return [op.transpose(g, dy, invertPerm(perm))];
};
