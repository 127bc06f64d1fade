import { describeValue, GraphBuildError } from '../errors';
import type { Graph, Value } from '../graph';
import { attr } from '../graph';
import { normaliseAxes, requireFloat, requireSameDtype } from './check';

/** Softmax along one axis (opset 13+ semantics). */
export function softmax(g: Graph, x: Value, axis = -1): Value {
  requireFloat('Softmax', x);
  normaliseAxes('Softmax', x, [axis]);
  return g.addNode('Softmax', [x], [{ dtype: x.dtype, shape: x.shape }], { axis: attr.int(axis) })[0]!;
}

/**
 * LayerNormalization over the last axis (opset 17), Y only: on DirectML it stays on the GPU only when Y is
 * the sole output, so the backward pass recomputes mean and 1/std itself.
 */
export function layerNorm(g: Graph, x: Value, scale: Value, bias: Value, epsilon: number): Value {
  requireFloat('LayerNormalization', x);
  requireSameDtype('LayerNormalization', [x, scale, bias]);
  const last = x.shape[x.shape.length - 1];
  for (const p of [scale, bias]) {
    if (p.shape.length !== 1 || (typeof last === 'number' && p.shape[0] !== last)) {
      throw new GraphBuildError(
        'LayerNormalization',
        `${describeValue(p)} must be [${last}] to normalise ${describeValue(x)}.`,
      );
    }
  }
  return g.addNode('LayerNormalization', [x, scale, bias], [{ dtype: x.dtype, shape: x.shape }], {
    axis: attr.int(-1),
    epsilon: attr.float(epsilon),
  })[0]!;
}
