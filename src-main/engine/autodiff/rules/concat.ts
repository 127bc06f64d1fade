import { type Dim, describeValue } from '../../onnx';
import { AutodiffError } from '../errors';
import type { GradRule } from '../rule';

const END = Number.MAX_SAFE_INTEGER;

/**
 * Slices dy back into the inputs' pieces along the axis. Bounds are constants: counted from the start while
 * the sizes before a piece are known, else from the end while the sizes after it are known.
 */
export const concatGrad: GradRule = ({ g, dy, node, needs, attrInt }) => {
  const inputs = node.inputs.map((v, i) => v ?? missing(node.name, i));
  const rank = dy.shape.length;
  const raw = attrInt('axis', 0);
  const axis = raw < 0 ? raw + rank : raw;
  const sizes: Dim[] = inputs.map((v) => v.shape[axis]!);
  return inputs.map((v, i) => {
    if (!needs(i)) return null;
    const before = sumKnown(sizes.slice(0, i));
    const after = sumKnown(sizes.slice(i + 1));
    const own = sizes[i]!;
    const start = before ?? (after !== undefined && typeof own === 'number' ? -(after + own) : undefined);
    const end =
      before !== undefined && typeof own === 'number'
        ? before + own
        : after !== undefined
          ? after === 0
            ? END
            : -after
          : undefined;
    if (start === undefined || end === undefined) {
      throw new AutodiffError(
        `Concat node '${node.name}': cannot place input ${describeValue(v)} with constant bounds; ` +
          `make the sizes along axis ${axis} static on one side of it.`,
      );
    }
    return g.addNode(
      'Slice',
      [dy, g.int64s([start]), g.int64s([end]), g.int64s([axis])],
      [{ dtype: dy.dtype, shape: v.shape }],
    )[0]!;
  });
};

function sumKnown(dims: readonly Dim[]): number | undefined {
  let s = 0;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    s += d;
  }
  return s;
}

function missing(node: string, i: number): never {
  throw new AutodiffError(`Concat node '${node}' has an empty input ${i}.`);
}
