import type { Shape } from './shape';
import { formatShape } from './shape';

/** A graph that cannot be built as asked: names the op, the values and their shapes. */
export class GraphBuildError extends Error {
  override readonly name = 'GraphBuildError';
  constructor(
    readonly opType: string,
    message: string,
  ) {
    super(`${opType}: ${message}`);
  }
}

/** Formats "name [B, T, 384] float32" for error messages. */
export function describeValue(v: { name: string; shape: Shape; dtype: string }): string {
  return `'${v.name}' ${formatShape(v.shape)} ${v.dtype}`;
}
