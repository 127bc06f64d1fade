import { type Dim, type Value, attr, op } from '../../onnx';
import { AutodiffError } from '../errors';
import { positiveAxes, zerosLike } from '../helpers';
import type { GradRule } from '../rule';

const END = Number.MAX_SAFE_INTEGER;

/**
 * Pads dy back to the input's shape with zeros, one sliced axis at a time: Concat(zeros before, dy, zeros
 * after). The zero blocks are Slices of zeros-like-x with the forward's own constant bounds, so ONNX's
 * clamping of negative and out-of-range bounds is reproduced exactly, with symbolic dims too. Step 1 only.
 */
export const sliceGrad: GradRule = ({ g, dy, node, input, constInts }) => {
  const x = input(0);
  const starts = constInts(1);
  const ends = constInts(2);
  const fail = (why: string): never => {
    throw new AutodiffError(`Slice node '${node.name}': ${why}`);
  };
  if (!starts || !ends) return [fail('its gradient needs constant starts and ends.'), null, null, null, null];
  const axes = positiveAxes(constInts(3) ?? starts.map((_, i) => i), x.shape.length);
  if ((constInts(4) ?? []).some((s) => s !== 1)) fail('the gradient supports step 1 only; slice with steps of 1.');
  const zeros = zerosLike(g, x);
  let current = dy;
  axes.forEach((axis, k) => {
    // Zero blocks take x's size on axes already padded and the slice's size on the others.
    const others = axes.map((a, j) => ({ a, j })).filter(({ j }) => j > k);
    const block = (from: number, to: number): Value => {
      const spec = {
        starts: [...others.map(({ j }) => starts[j]!), from],
        ends: [...others.map(({ j }) => ends[j]!), to],
        axes: [...others.map(({ a }) => a), axis],
      };
      return op.slice(g, zeros, spec);
    };
    const dim = x.shape[axis]!;
    const parts: Value[] = [];
    if (!startsAtZero(starts[k]!, dim)) parts.push(block(0, starts[k]!));
    parts.push(current);
    if (!endsAtEnd(ends[k]!, dim)) parts.push(block(ends[k]!, END));
    const shape: Dim[] = current.shape.map((d, i) => (i === axis ? dim : d));
    current =
      parts.length === 1
        ? current
        : g.addNode('Concat', parts, [{ dtype: dy.dtype, shape }], { axis: attr.int(axis) })[0]!;
  });
  return [current, null, null, null, null];
};

function startsAtZero(start: number, dim: Dim): boolean {
  return start === 0 || (typeof dim === 'number' && start <= -dim);
}

function endsAtEnd(end: number, dim: Dim): boolean {
  return end >= END / 2 || (typeof dim === 'number' && end >= dim);
}
