import { describe, expect, it } from 'vitest';
import { FreezePresetError } from './errors';
import { partitionParams } from './freeze';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import { countParams } from './param-store';
import { TINY_DIMS } from './testing';

const tasks = { numClasses: 4, numNerLabels: 5 };
const encoder = encoderParamSpecs(TINY_DIMS);
const heads = headParamSpecs(TINY_DIMS.hiddenSize, 4, 5);
const names = (specs: readonly { name: string }[]): string[] => specs.map((s) => s.name);

describe('partitionParams', () => {
  it('full trains everything and counts it', () => {
    const p = partitionParams(TINY_DIMS, tasks, { preset: 'full' });
    expect(p.frozen).toEqual([]);
    expect(p.trainableCount).toBe(countParams([...encoder, ...heads]));
    // Hand count for the tiny config: embeddings (50+24+2)*32+64, per layer 4*(32*32+32)+2*64+(64*32+64)+(32*64+32), heads 4*32+4+5*32+5.
    const perLayer = 4 * (32 * 32 + 32) + 2 * 64 + (64 * 32 + 64) + (32 * 64 + 32);
    expect(p.trainableCount).toBe(76 * 32 + 64 + 2 * perLayer + 132 + 165);
  });

  it('heads-only freezes the whole encoder', () => {
    const p = partitionParams(TINY_DIMS, tasks, { preset: 'heads-only' });
    expect(names(p.trainable)).toEqual(names(heads));
    expect(p.frozenCount).toBe(countParams(encoder));
  });

  it('freeze-classifier and freeze-ner freeze one head each', () => {
    const c = partitionParams(TINY_DIMS, tasks, { preset: 'freeze-classifier' });
    expect(names(c.frozen)).toEqual(['heads.classification.weight', 'heads.classification.bias']);
    const n = partitionParams(TINY_DIMS, tasks, { preset: 'freeze-ner' });
    expect(names(n.frozen)).toEqual(['heads.ner.weight', 'heads.ner.bias']);
  });

  it('freezes embeddings and the bottom K layers on top of a preset', () => {
    const p = partitionParams(TINY_DIMS, tasks, { preset: 'full', freezeEmbeddings: true, freezeBottomLayers: 1 });
    expect(p.frozen.every((s) => s.name.startsWith('embeddings.') || s.name.startsWith('encoder.layer.0.'))).toBe(true);
    expect(p.trainable.some((s) => s.name.startsWith('encoder.layer.1.'))).toBe(true);
    expect(p.frozen.length).toBe(5 + 16);
  });

  it('refuses frozen, too many layers, and combinations with nothing left', () => {
    expect(() => partitionParams(TINY_DIMS, tasks, { preset: 'frozen' })).toThrow(FreezePresetError);
    expect(() => partitionParams(TINY_DIMS, tasks, { preset: 'frozen' })).toThrow(/heads-only/);
    expect(() => partitionParams(TINY_DIMS, tasks, { preset: 'full', freezeBottomLayers: 3 })).toThrow(/0\.\.2/);
    expect(() =>
      partitionParams(
        TINY_DIMS,
        { numClasses: 4, numNerLabels: 0 },
        { preset: 'freeze-classifier', freezeEmbeddings: true, freezeBottomLayers: 2 },
      ),
    ).toThrow(/leaves no parameter/);
  });
});
