import { describe, expect, it } from 'vitest';
import { Graph } from '../onnx';
import { unbroadcast } from './unbroadcast';

/** The ReduceSum axes/keepdims and the final shape unbroadcast builds for grad -> target shapes. */
function plan(gradShape: (number | string)[], targetShape: (number | string)[]) {
  const g = new Graph();
  const gv = g.input('g', 'float32', gradShape);
  const t = g.input('t', 'float32', targetShape);
  const before = g.nodes.length;
  const out = unbroadcast(g, gv, t);
  const nodes = g.nodes.slice(before).map((n) => n.opType);
  return { shape: out.shape, nodes, same: out === gv };
}

describe('unbroadcast', () => {
  it('builds nothing when shapes agree, including equal symbols', () => {
    expect(plan(['B', 'T', 4], ['B', 'T', 4]).same).toBe(true);
  });

  it('sums leading axes with one ReduceSum (a bias under [B, T, H])', () => {
    expect(plan(['B', 'T', 4], [4])).toEqual({ shape: [4], nodes: ['ReduceSum'], same: false });
  });

  it('sums size-1 axes with keepdims and squeezes leading ones', () => {
    expect(plan(['B', 3, 4], [1, 4])).toEqual({ shape: [1, 4], nodes: ['ReduceSum', 'Squeeze'], same: false });
    expect(plan([2, 3, 4], [2, 1, 4])).toEqual({ shape: [2, 1, 4], nodes: ['ReduceSum'], same: false });
  });

  it('treats 1 against a symbol as broadcast and two symbols as equal', () => {
    expect(plan(['B', 'T'], [1, 'T']).shape).toEqual([1, 'T']);
    expect(plan(['N', 4], ['M', 4]).same).toBe(true);
  });

  it('rejects a gradient of lower rank or another dtype', () => {
    expect(() => plan([4], [3, 4])).toThrow(/lower rank/);
    const g = new Graph();
    expect(() => unbroadcast(g, g.input('a', 'float64', [2]), g.input('b', 'float32', [2]))).toThrow(/another dtype/);
  });
});
