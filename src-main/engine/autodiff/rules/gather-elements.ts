import { describeValue, op, typedArrayFrom } from '../../onnx';
import { AutodiffError } from '../errors';
import type { GradRule } from '../rule';

/**
 * GatherElements' gradient without ScatterElements (not in the portable op set): a one-hot of the indices
 * along a new axis, times dy, summed over the gathered axis. Needs a static size N along the axis and
 * the indices' other dims to equal the data's; negative indices count from the end.
 */
export const gatherElementsGrad: GradRule = ({ g, dy, node, input, attrInt }) => {
  const data = input(0);
  const indices = input(1);
  const rank = data.shape.length;
  const axis = ((attrInt('axis', 0) % rank) + rank) % rank;
  const n = data.shape[axis];
  if (typeof n !== 'number') {
    throw new AutodiffError(
      `GatherElements node '${node.name}': the gradient needs a static size along axis ${axis} of ${describeValue(data)}.`,
    );
  }
  const trailing = rank - axis - 1;
  const classes = g.constant(
    {
      dtype: indices.dtype,
      dims: [n, ...new Array<number>(trailing).fill(1)],
      data: typedArrayFrom(indices.dtype, [...Array(n).keys()]),
    },
    'onehot_range',
  ); // [N, 1, ...]
  const size = g.scalar(n, indices.dtype);
  const wrapped = op.where(g, op.less(g, indices, g.scalar(0, indices.dtype)), op.add(g, indices, size), indices); // -1 -> N-1
  const hit = op.cast(g, op.equal(g, op.unsqueeze(g, wrapped, [axis + 1]), classes), dy.dtype); // [..., K, N, ...]
  const spread = op.mul(g, hit, op.unsqueeze(g, dy, [axis + 1])); // [..., K, N, ...]
  return [op.reduceSum(g, spread, [axis], false), null]; // [..., N, ...]
};
