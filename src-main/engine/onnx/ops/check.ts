import type { DType } from '../dtype';
import { isFloat } from '../dtype';
import { describeValue, GraphBuildError } from '../errors';
import type { Value } from '../graph';

/** Throws unless all values share one dtype; returns it. */
export function requireSameDtype(opType: string, values: readonly Value[]): DType {
  const dtype = values[0]!.dtype;
  for (const v of values) {
    if (v.dtype !== dtype) {
      throw new GraphBuildError(
        opType,
        `inputs must share one dtype, got ${values.map(describeValue).join(' and ')}; insert a Cast.`,
      );
    }
  }
  return dtype;
}

/** Throws unless the value is a float tensor. */
export function requireFloat(opType: string, v: Value): void {
  if (!isFloat(v.dtype)) {
    throw new GraphBuildError(opType, `expected a float tensor, got ${describeValue(v)}.`);
  }
}

/** Throws unless the value has one of the given dtypes. */
export function requireDtype(opType: string, v: Value, allowed: readonly DType[]): void {
  if (!allowed.includes(v.dtype)) {
    throw new GraphBuildError(opType, `expected ${allowed.join(' or ')}, got ${describeValue(v)}.`);
  }
}

/** Throws unless the value has the given rank (or at least min rank). */
export function requireRank(opType: string, v: Value, rank: number, atLeast = false): void {
  if (atLeast ? v.shape.length < rank : v.shape.length !== rank) {
    throw new GraphBuildError(opType, `expected rank ${atLeast ? '>= ' : ''}${rank}, got ${describeValue(v)}.`);
  }
}

/** Normalises axes against a rank, throwing on out-of-range or repeated axes. */
export function normaliseAxes(opType: string, v: Value, axes: readonly number[]): number[] {
  const rank = v.shape.length;
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) throw new GraphBuildError(opType, `axis ${a} is out of range for ${describeValue(v)}.`);
    return n;
  });
  if (new Set(out).size !== out.length) throw new GraphBuildError(opType, `repeated axes [${axes.join(', ')}].`);
  return out;
}
