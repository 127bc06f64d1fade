import { describeValue, op, typedArrayFrom } from '../../onnx';
import { AutodiffError } from '../errors';
import { invertPerm, isStatic, range } from '../helpers';
import type { GradRule } from '../rule';

/**
 * Most rows (along the gathered axis) a table may have for the one-hot gradient: its [ids, rows] one-hot
 * grows with both. Position (512) and token-type (2) tables pass; a 30522-row word table does not.
 */
export const ONE_HOT_MAX_ROWS = 4096;

/**
 * Gather's gradient without ScatterND (DirectML has no scatter with reduction): the ids, flattened to [M]
 * (negative ones wrapped), become a one-hot [M, N] (Equal against a 0..N-1 constant, cast to dy's dtype);
 * Gemm(one-hot^T, dy as [M, R]) then sums dy's rows per id into [N, R], so repeated ids accumulate. Another
 * axis is moved to the front first and back after, as the scatter rule does. Needs the data's shape static
 * and at most `maxRows` rows along the axis.
 */
export function gatherOneHotGrad(maxRows: number = ONE_HOT_MAX_ROWS): GradRule {
  return ({ g, dy, node, input, needs, attrInt }) => {
    if (!needs(0)) return [null, null];
    const data = input(0);
    const indices = input(1);
    const shape = data.shape;
    if (!isStatic(shape)) {
      throw new AutodiffError(
        `Gather node '${node.name}': the one-hot gradient needs the static shape of ${describeValue(data)} (an embedding table); use the 'scatter' Gather gradient for it.`,
      );
    }
    const rank = shape.length;
    const axis = ((attrInt('axis', 0) % rank) + rank) % rank;
    const n = shape[axis]!;
    if (n > maxRows) {
      throw new AutodiffError(
        `Gather node '${node.name}': the one-hot gradient of ${describeValue(data)} would build an [ids, ${n}] matrix every step (at most ${maxRows} rows are accepted). Freeze '${data.name}' (leave it out of wrt), or use the 'scatter' Gather gradient on a provider with ScatterND add (CPU, CUDA, WebGPU).`,
      );
    }
    const q = indices.shape.length;
    const post = range(rank - axis - 1);
    // data [pre..., N, post...] -> [N, pre..., post...]; dy [pre..., idx..., post...] -> [idx..., pre..., post...]
    const dataPerm = [axis, ...range(axis), ...post.map((i) => axis + 1 + i)];
    const dyPerm = [...range(q).map((i) => axis + i), ...range(axis), ...post.map((i) => axis + q + i)];
    const front = dataPerm.map((p) => shape[p]!);
    const rest = front.slice(1).reduce((a, b) => a * b, 1);

    const flat = op.reshape(g, indices, [-1]); // [M]
    const size = g.scalar(n, flat.dtype);
    const ids = op.where(g, op.less(g, flat, g.scalar(0, flat.dtype)), op.add(g, flat, size), flat); // -1 -> N-1
    const rows = g.constant(
      { dtype: flat.dtype, dims: [n], data: typedArrayFrom(flat.dtype, range(n)) },
      'onehot_range',
    );
    const hot = op.cast(g, op.equal(g, op.unsqueeze(g, ids, [-1]), rows), dy.dtype); // [M, N]
    const dyRows = op.reshape(g, axis === 0 ? dy : op.transpose(g, dy, dyPerm), [-1, rest]); // [M, R]
    const summed = op.reshape(g, op.gemm(g, hot, dyRows, null, { transA: true }), front); // [N, ...rest]
    return [axis === 0 ? summed : op.transpose(g, summed, invertPerm(dataPerm)), null];
  };
}
