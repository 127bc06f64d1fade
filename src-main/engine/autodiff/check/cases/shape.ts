import { op } from '../../../onnx';
import type { CheckCase } from '../gradcheck';
import { ints, tiesLikely } from './util';

const END = Number.MAX_SAFE_INTEGER;
const ONE_HOT = { gatherGradient: 'one-hot' } as const;

/** Shape, indexing and reduction rules, with static and symbolic dims. */
export const shapeCases: readonly CheckCase[] = [
  {
    rule: 'Reshape',
    name: 'Reshape [2,3,4] -> [6,4]',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.reshape(g, x.a!, [6, 4]),
  },
  {
    rule: 'Reshape',
    name: 'Reshape [B,T,4] -> [B*T,4] (run-time shape back)',
    inputs: { a: { dims: [2, 3, 4], shape: ['B', 'T', 4] } },
    build: (g, x) => op.reshape(g, x.a!, [-1, 4]),
  },
  {
    rule: 'Reshape',
    name: 'Reshape [B,12] -> [B,3,4] (constant 0/-1 back)',
    inputs: { a: { dims: [2, 12], shape: ['B', 12] } },
    build: (g, x) => op.reshape(g, x.a!, [0, 3, 4]),
  },
  {
    rule: 'Transpose',
    name: 'Transpose [2,3,4] perm [2,0,1]',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.transpose(g, x.a!, [2, 0, 1]),
  },
  {
    rule: 'Unsqueeze',
    name: 'Unsqueeze [2,3] axes [1,-1]',
    inputs: { a: { dims: [2, 3] } },
    build: (g, x) => op.unsqueeze(g, x.a!, [1, -1]),
  },
  {
    rule: 'Squeeze',
    name: 'Squeeze [2,1,3,1] axes [1,-1]',
    inputs: { a: { dims: [2, 1, 3, 1] } },
    build: (g, x) => op.squeeze(g, x.a!, [1, -1]),
  },
  {
    rule: 'Expand',
    name: 'Expand [3,1] -> [2,3,4]',
    inputs: { a: { dims: [3, 1] } },
    build: (g, x) => op.expand(g, x.a!, g.int64s([2, 3, 4]), [2, 3, 4]),
  },
  {
    rule: 'Expand',
    name: 'Expand [1,4] -> [B,4] (symbolic)',
    inputs: { a: { dims: [1, 4] }, like: { dims: [3, 4], shape: ['B', 4], wrt: false } },
    build: (g, x) => op.mul(g, op.expandLike(g, x.a!, x.like!), x.like!),
  },
  {
    rule: 'Concat',
    name: 'Concat [2,3] | [2,2] on axis 1',
    inputs: { a: { dims: [2, 3] }, b: { dims: [2, 2] } },
    build: (g, x) => op.concat(g, [x.a!, x.b!], 1),
  },
  {
    rule: 'Concat',
    name: 'Concat [T,3] | [2,3] | [T,3] on axis 0 (bounds from either end)',
    inputs: { a: { dims: [2, 3], shape: ['T', 3] }, b: { dims: [2, 3] } },
    build: (g, x) => op.concat(g, [x.b!, x.a!, x.b!], 0),
  },
  {
    rule: 'Slice',
    name: 'Slice [4,5] rows 1:3, cols -3:end',
    inputs: { a: { dims: [4, 5] } },
    build: (g, x) => op.slice(g, x.a!, { starts: [1, -3], ends: [3, END], axes: [0, 1] }),
  },
  {
    rule: 'Slice',
    name: 'Slice [B,T,3] token 0 (CLS pooling, symbolic T)',
    inputs: { a: { dims: [2, 5, 3], shape: ['B', 'T', 3] } },
    build: (g, x) => op.slice(g, x.a!, { starts: [0], ends: [1], axes: [1] }),
  },
  {
    rule: 'Slice',
    name: 'Slice [B,T,3] T -3:-1 and last dim 1:2',
    inputs: { a: { dims: [2, 5, 3], shape: ['B', 'T', 3] } },
    build: (g, x) => op.slice(g, x.a!, { starts: [-3, 1], ends: [-1, 2], axes: [1, 2] }),
  },
  {
    rule: 'Tile',
    name: 'Tile [2,3] x [2,3]',
    inputs: { a: { dims: [2, 3] } },
    build: (g, x) => op.tile(g, x.a!, [2, 3]),
  },
  {
    rule: 'Gather',
    name: 'Gather embedding rows [5,3] with repeated int64 ids [2,3]',
    inputs: { a: { dims: [5, 3] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int64', [2, 3], [0, 2, 2, 4, 0, 1]), 0),
  },
  {
    rule: 'Gather',
    name: 'Gather rows with int32 ids',
    inputs: { a: { dims: [4, 2] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int32', [3], [3, 3, 1]), 0),
  },
  {
    rule: 'Gather',
    name: 'Gather [2,5,3] axis 1 ids [4]',
    inputs: { a: { dims: [2, 5, 3] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int64', [4], [4, 0, 4, 2]), 1),
  },
  {
    rule: 'Gather',
    name: 'Gather rows with negative ids',
    inputs: { a: { dims: [4, 2] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int64', [3], [-1, 0, -1]), 0),
  },
  {
    rule: 'Gather',
    name: 'Gather one-hot gradient: embedding rows [5,3] with repeated int64 ids [2,3]',
    inputs: { a: { dims: [5, 3] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int64', [2, 3], [0, 2, 2, 4, 0, 1]), 0),
    gradOptions: ONE_HOT,
  },
  {
    rule: 'Gather',
    name: 'Gather one-hot gradient: int32 ids [3], negative ids [3]',
    inputs: { a: { dims: [4, 2] }, b: { dims: [4, 2] } },
    build: (g, x) =>
      op.add(
        g,
        op.gather(g, x.a!, ints(g, 'int32', [3], [3, 3, 1]), 0),
        op.gather(g, x.b!, ints(g, 'int64', [3], [-1, 0, -1]), 0),
      ),
    gradOptions: ONE_HOT,
  },
  {
    rule: 'Gather',
    name: 'Gather one-hot gradient: [2,5,3] axis 1 ids [2,2]',
    inputs: { a: { dims: [2, 5, 3] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int64', [2, 2], [4, 0, 4, 2]), 1),
    gradOptions: ONE_HOT,
  },
  {
    rule: 'Gather',
    name: 'Gather one-hot gradient: one row of [2,4] by a rank-0 id',
    inputs: { a: { dims: [2, 4] } },
    build: (g, x) => op.gather(g, x.a!, ints(g, 'int64', [], [1]), 0),
    gradOptions: ONE_HOT,
  },
  {
    rule: 'GatherElements',
    name: 'GatherElements [2,3] axis 0 with negative ids',
    inputs: { a: { dims: [2, 3] } },
    build: (g, x) => op.gatherElements(g, x.a!, ints(g, 'int32', [2, 3], [-1, 0, 1, 0, -2, -1]), 0),
  },
  {
    rule: 'GatherElements',
    name: 'GatherElements [3,4] axis 1 ids [3,2]',
    inputs: { a: { dims: [3, 4] } },
    build: (g, x) => op.gatherElements(g, x.a!, ints(g, 'int64', [3, 2], [0, 3, 1, 1, 2, 0]), 1),
  },
  {
    rule: 'ReduceSum',
    name: 'ReduceSum [2,3,4] axis 1 keepdims',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.reduceSum(g, x.a!, [1], true),
  },
  {
    rule: 'ReduceSum',
    name: 'ReduceSum [B,3,4] axes [0,2]',
    inputs: { a: { dims: [2, 3, 4], shape: ['B', 3, 4] } },
    build: (g, x) => op.reduceSum(g, x.a!, [0, 2], false),
  },
  {
    rule: 'ReduceMean',
    name: 'ReduceMean [2,3,4] axis -1',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.reduceMean(g, x.a!, [-1], false),
  },
  {
    rule: 'ReduceMean',
    name: 'ReduceMean [B,T,2] over T (symbolic count)',
    inputs: { a: { dims: [2, 3, 2], shape: ['B', 'T', 2] } },
    build: (g, x) => op.reduceMean(g, x.a!, [1], true),
  },
  {
    rule: 'ReduceMax',
    name: 'ReduceMax [2,3,4] axis 2 keepdims',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.reduceMax(g, x.a!, [2], true),
  },
  {
    rule: 'ReduceMax',
    name: 'ReduceMax [3,6] axis 1 with exact ties (dy split evenly)',
    inputs: { a: { dims: [3, 6], init: tiesLikely } },
    build: (g, x) => op.reduceMax(g, x.a!, [1], false),
  },
  {
    rule: 'ReduceMax',
    name: 'ReduceMax [2,3,4] axes [0,1]',
    inputs: { a: { dims: [2, 3, 4] } },
    build: (g, x) => op.reduceMax(g, x.a!, [0, 1], false),
  },
];
