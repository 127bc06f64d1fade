import { describeValue, op } from '../../onnx';
import { AutodiffError } from '../errors';
import { isStatic, range } from '../helpers';
import type { GradRule } from '../rule';

/** Sums the tiled copies: reshape dy [r0*d0, r1*d1, ...] to [r0, d0, r1, d1, ...] and reduce the r axes. */
export const tileGrad: GradRule = ({ g, dy, node, input, constInts }) => {
  const x = input(0);
  const repeats = constInts(1);
  if (!repeats || !isStatic(x.shape)) {
    throw new AutodiffError(
      `Tile node '${node.name}': the gradient needs constant repeats and a static input, got ${describeValue(x)}.`,
    );
  }
  const split = op.reshape(
    g,
    dy,
    x.shape.flatMap((d, i) => [repeats[i]!, d]),
  ); // [r0, d0, r1, d1, ...]
  return [
    op.reduceSum(
      g,
      split,
      range(x.shape.length).map((i) => 2 * i),
      false,
    ),
    null,
  ];
};
