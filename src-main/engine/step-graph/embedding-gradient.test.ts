import { describe, expect, it } from 'vitest';
import type { Graph, Value } from '../onnx';
import { op } from '../onnx';
import { buildAccumulationGraphs, buildTrainingGraph, type TrainingGraphSpec } from './index';

// An embedding lookup [B, T] -> [B, T, 4] summed into the loss: the table's gradient is a Gather gradient.
const SPEC: TrainingGraphSpec = {
  trainable: [{ name: 'table', shape: [10, 4], decay: false }],
  adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  clipNorm: null,
  forward: (g: Graph, p: ReadonlyMap<string, Value>) => {
    const ids = g.input('ids', 'int64', ['B', 'T']);
    return { loss: op.reduceSum(g, op.gather(g, p.get('table')!, ids), [0, 1, 2], false) };
  },
};

const opsOf = (g: Graph): string[] => g.nodes.map((n) => n.opType);

describe('TrainingGraphSpec.embeddingGradient', () => {
  it("is 'scatter' by default and reaches grad() in the single and the accumulation graphs", () => {
    expect(opsOf(buildTrainingGraph(SPEC).graph)).toContain('ScatterND');
    expect(opsOf(buildAccumulationGraphs(SPEC).gradient.graph)).toContain('ScatterND');
    const oneHot = { ...SPEC, embeddingGradient: 'one-hot' as const };
    for (const g of [buildTrainingGraph(oneHot).graph, buildAccumulationGraphs(oneHot).gradient.graph]) {
      expect(opsOf(g)).not.toContain('ScatterND');
      expect(opsOf(g)).toContain('Gemm');
    }
  });
});
