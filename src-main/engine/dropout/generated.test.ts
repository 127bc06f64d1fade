import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph, serializeModel } from '../onnx';
import { generatedKeep, generatedKeepMask, generatedKeepScale, laneSeeds } from './generated';
import { streamKey } from './prng';

async function maskOnCpu(dims: readonly number[], seeds: Int32Array, rate: number): Promise<Uint8Array> {
  const g = new Graph('mask');
  const x = g.input(
    'x',
    'float32',
    dims.map((_, i) => `d${i}`),
  );
  const s = g.input('seeds', 'int32', [2]);
  g.output(generatedKeepMask(g, x, s, rate), 'keep');
  const session = await ort.InferenceSession.create(serializeModel(g));
  const size = dims.reduce((a, b) => a * b, 1);
  const out = await session.run({
    x: new ort.Tensor('float32', new Float32Array(size), [...dims]),
    seeds: new ort.Tensor('int32', seeds, [2]),
  });
  await session.release();
  return out['keep']!.data as Uint8Array;
}

describe('generatedKeepMask', () => {
  const seeds = laneSeeds(streamKey(7, 3, 'l0.attn_probs'));

  it('draws exactly the reference mask (the hash is integer arithmetic, so every EP agrees)', async () => {
    const mask = await maskOnCpu([3, 5, 7], seeds, 0.1);
    const expected = Uint8Array.from({ length: 105 }, (_, i) => (generatedKeep(i, seeds, 0.1) ? 1 : 0));
    expect([...mask]).toEqual([...expected]);
  });

  it('keeps 1 - rate of the elements, with no period across rows of a large mask', async () => {
    const rows = 64;
    const cols = 65_536; // > both lane primes: a single-lane hash would repeat within a row
    const mask = await maskOnCpu([rows, cols], seeds, 0.1);
    const kept = mask.reduce((a, b) => a + b, 0) / mask.length;
    expect(kept).toBeGreaterThan(0.897);
    expect(kept).toBeLessThan(0.903);
    // Independent rows agree on p^2 + q^2 = 0.82 of positions; a periodic mask would agree on ~all.
    for (const shift of [1, 7, 46_337 % cols]) {
      let agree = 0;
      for (let i = 0; i < cols; i++) agree += mask[i] === mask[(i + shift * cols) % mask.length] ? 1 : 0;
      expect(agree / cols).toBeGreaterThan(0.8);
      expect(agree / cols).toBeLessThan(0.84);
    }
    // Within a row, elements p1 and p2 apart (one lane's period) are independent too.
    for (const lag of [46_337, 46_307]) {
      let agree = 0;
      for (let i = 0; i + lag < cols; i++) agree += mask[i] === mask[i + lag] ? 1 : 0;
      expect(agree / (cols - lag)).toBeLessThan(0.85);
    }
  });

  it('gives other masks for other steps and sites, and scales to keep the expectation', async () => {
    const a = await maskOnCpu([4096], laneSeeds(streamKey(7, 3, 'emb')), 0.5);
    const b = await maskOnCpu([4096], laneSeeds(streamKey(7, 4, 'emb')), 0.5);
    let same = 0;
    for (let i = 0; i < a.length; i++) same += a[i] === b[i] ? 1 : 0;
    expect(same / a.length).toBeLessThan(0.55);
    expect(generatedKeepScale(0.1)).toBeCloseTo(1 / 0.9, 4);
  });
});
