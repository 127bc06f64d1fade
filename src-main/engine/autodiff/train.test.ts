import { describe, expect, it } from 'vitest';
import { tinyMlp, tinyTransformer, trainSgd } from './check/tiny-models';

describe('training with grad() and in-graph SGD (float32, default ORT optimisations)', () => {
  it('drives a 2-layer MLP to near-zero loss on a fixed batch, reproducibly', async () => {
    const losses = await trainSgd(tinyMlp(7), 11, 300, 1);
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses.at(-1)).toBeLessThan(0.01);
    expect(await trainSgd(tinyMlp(7), 11, 300, 1)).toEqual(losses);
  });

  it('drives a 1-layer transformer block (attention, LayerNorm, GELU FFN) to near-zero loss, reproducibly', async () => {
    const losses = await trainSgd(tinyTransformer(3), 5, 300, 0.2);
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses.at(-1)).toBeLessThan(0.01);
    expect(await trainSgd(tinyTransformer(3), 5, 300, 0.2)).toEqual(losses);
  });
});
