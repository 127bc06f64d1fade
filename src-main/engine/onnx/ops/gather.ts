import { describeValue, GraphBuildError } from '../errors';
import type { Attrs, Graph, Value } from '../graph';
import { attr } from '../graph';
import { normaliseAxes, requireDtype, requireSameDtype } from './check';

/** Gather rows: data [..., N, ...] indexed along axis by int indices. */
export function gather(g: Graph, data: Value, indices: Value, axis = 0): Value {
  requireDtype('Gather', indices, ['int64', 'int32']);
  const [a] = normaliseAxes('Gather', data, [axis]);
  const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a! + 1)];
  return g.addNode('Gather', [data, indices], [{ dtype: data.dtype, shape }], { axis: attr.int(axis) })[0]!;
}

/** GatherElements: picks data elements at `indices` along axis; output has the indices' shape. */
export function gatherElements(g: Graph, data: Value, indices: Value, axis: number): Value {
  requireDtype('GatherElements', indices, ['int64', 'int32']);
  normaliseAxes('GatherElements', data, [axis]);
  if (indices.shape.length !== data.shape.length) {
    throw new GraphBuildError(
      'GatherElements',
      `indices ${describeValue(indices)} must have the rank of ${describeValue(data)}.`,
    );
  }
  return g.addNode('GatherElements', [data, indices], [{ dtype: data.dtype, shape: indices.shape }], {
    axis: attr.int(axis),
  })[0]!;
}

/** ScatterND (opset 16+): writes or accumulates `updates` into a copy of data at int64 `indices`. */
export function scatterND(
  g: Graph,
  data: Value,
  indices: Value,
  updates: Value,
  reduction: 'none' | 'add' = 'none',
): Value {
  requireDtype('ScatterND', indices, ['int64']);
  requireSameDtype('ScatterND', [data, updates]);
  const attrs: Attrs = reduction === 'none' ? {} : { reduction: attr.string(reduction) };
  return g.addNode('ScatterND', [data, indices, updates], [{ dtype: data.dtype, shape: data.shape }], attrs)[0]!;
}
