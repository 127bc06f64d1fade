import { describe, expect, it } from 'vitest';
import { hostTensor } from '../runtime';
import { IGNORE, type TrainExample } from './example';
import { type OptimizerStep, stepLosses } from './stepper';

const scalar = (x: number) => hostTensor('float32', Float32Array.of(x), []);
const withClass: TrainExample = { ids: [2, 20, 3], classLabel: 1 };
const withNer: TrainExample = { ids: [2, 20, 3], classLabel: IGNORE, nerLabels: [IGNORE, 1, IGNORE] };

function step(parts: readonly { cls: number; ner: number; total: number }[]): OptimizerStep {
  const micro = parts.map((p) => ({
    loss: p.total,
    outputs: { 'loss.classification': scalar(p.cls), 'loss.ner': scalar(p.ner) },
  }));
  const loss = parts.reduce((s, p) => s + p.total, 0) / parts.length;
  return {
    lr: 1e-3,
    loss,
    gradNorm: 1,
    applied: true,
    micro,
    transfer: { hostToDeviceBytes: 0, deviceToHostBytes: 0 },
  };
}

describe('stepLosses', () => {
  it('averages each task over the micro-batches that carried its labels; the total over all', () => {
    // Micro-batch 0 has only class labels (its NER output is the graph's 0), micro-batch 1 has both tasks.
    const r = step([
      { cls: 0.5, ner: 0, total: 0.5 },
      { cls: 0.25, ner: 1.5, total: 1.75 },
    ]);
    expect(stepLosses([[withClass], [withClass, withNer]], r)).toEqual({
      total: 1.125,
      classification: 0.375,
      ner: 1.5,
    });
  });

  it('leaves a task out when no micro-batch had labels for it, and reads a single batch as it is', () => {
    const r = step([{ cls: 0.75, ner: 0, total: 0.75 }]);
    expect(stepLosses([[withClass]], r)).toEqual({ total: 0.75, classification: 0.75 });
  });
});
