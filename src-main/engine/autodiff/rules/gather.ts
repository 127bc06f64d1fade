import { op } from '../../onnx';
import { invertPerm, range, zerosLike } from '../helpers';
import type { GradRule } from '../rule';

/**
 * Embedding-style gradient: ScatterND with reduction=add of dy's rows into zeros of the data's shape, so
 * repeated ids accumulate. Another axis is moved to the front first and moved back after.
 */
export const gatherGrad: GradRule = ({ g, dy, input, attrInt }) => {
  const data = input(0);
  const indices = op.cast(g, input(1), 'int64');
  const rank = data.shape.length;
  const axis = ((attrInt('axis', 0) % rank) + rank) % rank;
  const q = indices.shape.length;
  const ids = op.unsqueeze(g, indices, [-1]); // [...idx, 1]
  if (axis === 0) return [op.scatterND(g, zerosLike(g, data), ids, dy, 'add'), null];
  // dy: [pre..., idx..., post...] -> [idx..., pre..., post...]; data: [pre..., N, post...] -> [N, pre..., post...]
  const dyPerm = [...range(q).map((i) => axis + i), ...range(axis), ...range(rank - axis - 1).map((i) => axis + q + i)];
  const dataPerm = [axis, ...range(axis), ...range(rank - axis - 1).map((i) => axis + 1 + i)];
  const front = op.transpose(g, data, dataPerm);
  const scattered = op.scatterND(g, zerosLike(g, front), ids, op.transpose(g, dy, dyPerm), 'add');
  return [op.transpose(g, scattered, invertPerm(dataPerm)), null];
};
