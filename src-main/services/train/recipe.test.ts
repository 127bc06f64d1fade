import { describe, expect, it } from 'vitest';
import { planEpochBatches } from '../../engine/trainer/batching';
import { defaultEpochs, PRESET_RECIPES, resolveRecipe, stepsPerEpoch } from './recipe';

describe('preset recipes', () => {
  it('gives heads-only a head learning rate and full fine-tuning an encoder one', () => {
    expect(PRESET_RECIPES['heads-only'].lr).toBeGreaterThanOrEqual(1e-3);
    expect(PRESET_RECIPES['heads-only'].lr).toBeLessThanOrEqual(3e-3);
    for (const p of ['full', 'freeze-classifier', 'freeze-ner'] as const) {
      expect(PRESET_RECIPES[p].lr).toBeGreaterThanOrEqual(2e-5);
      expect(PRESET_RECIPES[p].lr).toBeLessThanOrEqual(5e-5);
    }
    expect(PRESET_RECIPES['heads-only'].steps).toBeGreaterThan(PRESET_RECIPES.full.steps);
  });

  it('counts optimizer steps per epoch as the trainer batches them (buckets of 50 batches, accumulation)', () => {
    for (const [n, batch] of [
      [300, 32],
      [1601, 32],
      [7, 8],
      [5000, 16],
    ] as const) {
      const planned = planEpochBatches(new Array<number>(n).fill(10), {
        batchSize: batch,
        shuffle: true,
        seed: 1,
        epoch: 0,
      });
      expect(stepsPerEpoch({ groups: [n], batchSize: batch, gradAccumulation: 1 })).toBe(planned.length);
      expect(stepsPerEpoch({ groups: [n], batchSize: batch, gradAccumulation: 3 })).toBe(Math.ceil(planned.length / 3));
    }
    // Labelled and NER-only examples are batched apart: 10 + 1 batches, not 11 of 32.
    expect(stepsPerEpoch({ groups: [300, 20], batchSize: 32, gradAccumulation: 1 })).toBe(11);
  });

  it('picks epochs that reach the preset steps on small data, within its bounds on large data', () => {
    const heads = PRESET_RECIPES['heads-only'];
    expect(defaultEpochs(heads, 10)).toBe(15); // 300 rows / 32: 150 steps
    expect(defaultEpochs(PRESET_RECIPES.full, 10)).toBe(10); // 100 steps
    expect(defaultEpochs(PRESET_RECIPES.full, 575)).toBe(PRESET_RECIPES.full.minEpochs);
    expect(defaultEpochs(heads, 1)).toBe(heads.maxEpochs);
  });

  it('fills only what the request leaves out, and warns with the epochs to use when the run is too short', () => {
    const shape = { groups: [300], batchSize: 32, gradAccumulation: 1 };
    const preset = resolveRecipe({ preset: 'heads-only', maxSteps: 0 }, shape);
    expect(preset).toMatchObject({ lr: 2e-3, epochs: 15, lrFromPreset: true, epochsFromPreset: true, totalSteps: 150 });
    expect(preset.warning).toBeNull();

    const typed = resolveRecipe({ preset: 'full', lr: 3e-5, epochs: 1, maxSteps: 0 }, shape);
    expect(typed).toMatchObject({ lr: 3e-5, epochs: 1, lrFromPreset: false, epochsFromPreset: false, totalSteps: 10 });
    expect(typed.warning).toBe(
      'This run takes 10 optimizer steps (1 epoch of 10); "full" needs at least 50 to learn: use 10 epochs, a smaller batch, or more train examples.',
    );

    const capped = resolveRecipe({ preset: 'full', maxSteps: 20 }, shape);
    expect(capped.totalSteps).toBe(20);
    expect(capped.warning).toMatch(/\(max steps 20\).*raise max steps to 100 or set it to 0/);
    expect(resolveRecipe({ preset: 'full', epochs: 5, maxSteps: 0 }, shape).warning).toBeNull();
  });
});
