import { describeValue, GraphBuildError } from '../errors';
import type { Graph, Value } from '../graph';
import { attr } from '../graph';
import type { Dim, Shape } from '../shape';
import { knownSize } from '../shape';
import { normaliseAxes, requireDtype, requireSameDtype } from './check';
import { divideSizes, symbolicSize } from './symbolic';

/** Reshape to constant dims (0 copies the input dim, -1 is inferred), as ONNX Reshape with allowzero=0. */
export function reshape(g: Graph, x: Value, dims: readonly number[]): Value {
  const shape = inferReshape(x, dims);
  return g.addNode('Reshape', [x, g.int64s(dims)], [{ dtype: x.dtype, shape }])[0]!;
}

function inferReshape(x: Value, dims: readonly number[]): Dim[] {
  const fail = (why: string): never => {
    throw new GraphBuildError('Reshape', `cannot reshape ${describeValue(x)} to [${dims.join(', ')}]: ${why}.`);
  };
  if (dims.filter((d) => d === -1).length > 1) fail('at most one -1 is allowed');
  const out: (Dim | undefined)[] = dims.map((d, i) => {
    if (d === 0) return i < x.shape.length ? x.shape[i]! : fail(`0 at position ${i} has no input dim to copy`);
    if (d === -1) return undefined;
    if (d < -1) return fail(`negative dim ${d}`);
    return d;
  });
  const inferredAt = out.indexOf(undefined);
  const total = symbolicSize(x.shape);
  if (inferredAt >= 0) {
    const rest = symbolicSize(out.filter((d): d is Dim => d !== undefined));
    const inferred = divideSizes(total, rest);
    out[inferredAt] = inferred ?? fail('the -1 dim cannot be inferred from the known dims');
  } else if (divideSizes(total, symbolicSize(out as Dim[])) !== 1) {
    const a = knownSize(x.shape);
    const b = knownSize(out as Dim[]);
    if (a !== undefined && b !== undefined) fail(`${a} elements do not fit ${b}`);
  }
  return out as Dim[];
}

/** Permutes dims. */
export function transpose(g: Graph, x: Value, perm: readonly number[]): Value {
  if (perm.length !== x.shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new GraphBuildError(
      'Transpose',
      `perm [${perm.join(', ')}] is not a permutation of ${describeValue(x)}'s axes.`,
    );
  }
  const shape = perm.map((p) => x.shape[p]!);
  return g.addNode('Transpose', [x], [{ dtype: x.dtype, shape }], { perm: attr.ints(perm) })[0]!;
}

/** Inserts size-1 dims at the given output axes. */
export function unsqueeze(g: Graph, x: Value, axes: readonly number[]): Value {
  const rank = x.shape.length + axes.length;
  const norm = axes.map((a) => (a < 0 ? a + rank : a));
  if (norm.some((a) => a < 0 || a >= rank) || new Set(norm).size !== norm.length) {
    throw new GraphBuildError('Unsqueeze', `axes [${axes.join(', ')}] are invalid for ${describeValue(x)}.`);
  }
  const shape: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[j++]!);
  return g.addNode('Unsqueeze', [x, g.int64s(axes)], [{ dtype: x.dtype, shape }])[0]!;
}

/** Removes size-1 dims at the given axes. */
export function squeeze(g: Graph, x: Value, axes: readonly number[]): Value {
  const norm = normaliseAxes('Squeeze', x, axes);
  for (const a of norm) {
    if (x.shape[a] !== 1) throw new GraphBuildError('Squeeze', `axis ${a} of ${describeValue(x)} is not 1.`);
  }
  const shape = x.shape.filter((_, i) => !norm.includes(i));
  return g.addNode('Squeeze', [x, g.int64s(axes)], [{ dtype: x.dtype, shape }])[0]!;
}

/** The runtime shape of x as a 1-D int64 tensor. */
export function shapeOf(g: Graph, x: Value): Value {
  return g.addNode('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0]!;
}

/** Broadcasts x to a runtime shape tensor; `outShape` is its static description. */
export function expand(g: Graph, x: Value, shapeTensor: Value, outShape: Shape): Value {
  requireDtype('Expand', shapeTensor, ['int64']);
  return g.addNode('Expand', [x, shapeTensor], [{ dtype: x.dtype, shape: outShape }])[0]!;
}

/** Broadcasts x to the (runtime) shape of `like`. */
export function expandLike(g: Graph, x: Value, like: Value): Value {
  return expand(g, x, shapeOf(g, like), like.shape);
}

/** Concatenates along an axis; other dims must agree. */
export function concat(g: Graph, xs: readonly Value[], axis: number): Value {
  if (xs.length === 0) throw new GraphBuildError('Concat', 'needs at least one input.');
  const dtype = requireSameDtype('Concat', xs);
  const first = xs[0]!;
  const [a] = normaliseAxes('Concat', first, [axis]);
  let along: Dim = 0;
  for (const x of xs) {
    if (x.shape.length !== first.shape.length) {
      throw new GraphBuildError('Concat', `ranks differ: ${xs.map(describeValue).join(', ')}.`);
    }
    x.shape.forEach((d, i) => {
      const f = first.shape[i]!;
      if (i !== a && typeof d === 'number' && typeof f === 'number' && d !== f) {
        throw new GraphBuildError('Concat', `dim ${i} differs: ${xs.map(describeValue).join(', ')}.`);
      }
    });
    const d = x.shape[a!]!;
    along = typeof along === 'number' && typeof d === 'number' ? along + d : `${along}+${d}`;
  }
  const shape = first.shape.map((d, i) => (i === a ? along : d));
  return g.addNode('Concat', xs, [{ dtype, shape }], { axis: attr.int(axis) })[0]!;
}

export interface SliceSpec {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly axes: readonly number[];
  readonly steps?: readonly number[];
}

/** Slice with constant bounds (ONNX clamping semantics). */
export function slice(g: Graph, x: Value, spec: SliceSpec): Value {
  const axes = normaliseAxes('Slice', x, spec.axes);
  const steps = spec.steps ?? axes.map(() => 1);
  if (spec.starts.length !== axes.length || spec.ends.length !== axes.length || steps.length !== axes.length) {
    throw new GraphBuildError('Slice', 'starts, ends, axes and steps must have the same length.');
  }
  const shape: Dim[] = [...x.shape];
  axes.forEach((axis, i) => {
    const step = steps[i]!;
    if (step === 0) throw new GraphBuildError('Slice', 'step 0 is not allowed.');
    shape[axis] = slicedDim(x.shape[axis]!, spec.starts[i]!, spec.ends[i]!, step, `${x.name}.slice${axis}`);
  });
  const inputs = [x, g.int64s(spec.starts), g.int64s(spec.ends), g.int64s(spec.axes)];
  if (spec.steps) inputs.push(g.int64s(steps));
  return g.addNode('Slice', inputs, [{ dtype: x.dtype, shape }])[0]!;
}

function slicedDim(dim: Dim, start: number, end: number, step: number, symbol: string): Dim {
  if (typeof dim !== 'number') {
    // A full forward slice keeps the symbol; any other bound depends on the run-time size.
    return start === 0 && end >= Number.MAX_SAFE_INTEGER / 2 && step === 1 ? dim : symbol;
  }
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const norm = (v: number): number => (v < 0 ? v + dim : v);
  if (step > 0) {
    const s = clamp(norm(start), 0, dim);
    const e = clamp(norm(end), 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  const s = clamp(norm(start), -1, dim - 1);
  const e = clamp(norm(end), -1, dim - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

/** Repeats x along each axis. */
export function tile(g: Graph, x: Value, repeats: readonly number[]): Value {
  if (repeats.length !== x.shape.length) {
    throw new GraphBuildError('Tile', `needs one repeat per axis of ${describeValue(x)}, got [${repeats.join(', ')}].`);
  }
  const shape = x.shape.map((d, i) =>
    typeof d === 'number' ? d * repeats[i]! : repeats[i] === 1 ? d : `${repeats[i]}*${d}`,
  );
  return g.addNode('Tile', [x, g.int64s(repeats)], [{ dtype: x.dtype, shape }])[0]!;
}
