import { describe, expect, it } from 'vitest';
import {
  buildModelAccumulationGraphs,
  buildModelTrainingGraph,
  type FreezeConfig,
  type ModelTrainingSpec,
  type MultiTaskSpec,
} from '../model';
import { TINY_DIMS } from '../model/testing';
import type { Device } from '../runtime';
import { deviceGraphSpec, prepareStepper } from './stepper';

// DirectML is Windows-only: these check what the trainer would build and report for it, without opening it.
const WORD = 'embeddings.word_embeddings.weight';
const model: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 2, numNerLabels: 3, pooling: 'mean' };
const WORD_PARAMS = TINY_DIMS.vocabSize * TINY_DIMS.hiddenSize;

function prepared(freeze: FreezeConfig, gradAccumulation = 1) {
  const adamw = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
  return prepareStepper({
    graph: { model, freeze, adamw, clipNorm: 1 },
    gradAccumulation,
    adamw,
    schedule: { kind: 'constant', lr: 1e-3 },
    params: new Map(),
    seed: 1,
  });
}

const graphOn = (spec: ModelTrainingSpec, device: Device) => buildModelTrainingGraph(deviceGraphSpec(spec, device));
const hasScatter = (g: { nodes: readonly { opType: string }[] }): boolean =>
  g.nodes.some((n) => n.opType === 'ScatterND');

describe('training on DirectML (graph choice per device)', () => {
  const spec: ModelTrainingSpec = { model, freeze: { preset: 'full' }, clipNorm: 1 };

  it('builds one-hot embedding gradients with the word table frozen for dml, and leaves the other devices as they were', () => {
    const dml = graphOn(spec, 'dml');
    expect(hasScatter(dml.graph)).toBe(false);
    expect(dml.partition.frozen.map((p) => p.name)).toEqual([WORD]);
    expect(dml.graph.value(`grad/${WORD}`)).toBeUndefined();
    expect(dml.layout.trainable.map((p) => p.name)).toContain('embeddings.position_embeddings.weight');
    expect(dml.layout.trainable.map((p) => p.name)).toContain('embeddings.LayerNorm.weight');
    for (const device of ['cpu', 'cuda', 'webgpu'] as const) {
      const s = deviceGraphSpec(spec, device);
      expect(s.embeddingGradient).toBe('scatter');
      expect(s.freezeWordEmbeddings).toBe(false);
      expect(s.dropoutMasks).toBe(device === 'cpu' ? 'host' : 'generated');
    }
    const cpu = graphOn(spec, 'cpu');
    expect(hasScatter(cpu.graph)).toBe(true);
    expect(cpu.partition.frozen).toEqual([]);
    const accumulated = buildModelAccumulationGraphs(deviceGraphSpec(spec, 'dml'));
    expect(hasScatter(accumulated.gradient.graph)).toBe(false);
    expect(accumulated.layout.frozen.map((p) => p.name)).toEqual([WORD]);
  });

  it('counts the trainable parameters of the device opened and says why the word table is frozen', () => {
    for (const k of [1, 2]) {
      const stepper = prepared({ preset: 'full' }, k);
      expect(stepper.trainableCount('cpu') - stepper.trainableCount('dml')).toBe(WORD_PARAMS);
      expect(stepper.trainableCount('webgpu')).toBe(stepper.trainableCount('cpu'));
      expect(stepper.notes('dml')).toHaveLength(1);
      expect(stepper.notes('dml')[0]).toMatch(
        new RegExp(
          `DirectML.*'${WORD.replace(/\./g, '\\.')}', ${WORD_PARAMS.toLocaleString('en-US')} parameters.*frozen`,
        ),
      );
      expect(stepper.notes('dml')[0]).toMatch(/position and token-type embeddings train/);
      for (const device of ['cpu', 'cuda', 'webgpu'] as const) expect(stepper.notes(device)).toEqual([]);
    }
  });

  it('says nothing when the run already freezes the embeddings', () => {
    for (const freeze of [{ preset: 'full', freezeEmbeddings: true }, { preset: 'heads-only' }] as const) {
      const stepper = prepared(freeze);
      expect(stepper.notes('dml')).toEqual([]);
      expect(stepper.trainableCount('dml')).toBe(stepper.trainableCount('cpu'));
      expect(hasScatter(graphOn({ model, freeze, clipNorm: 1 }, 'dml').graph)).toBe(false);
    }
  });
});
