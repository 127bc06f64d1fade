import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph, GraphBuildError, serializeModel } from '../onnx';
import { applyDropout, dropoutSites, maskInputName } from './apply';
import { DropoutMasks } from './masks';
import { dropThreshold, fillKeepMask, keepScale, streamKey } from './prng';

function mask(n: number, seed: number, step: number, site: string, rate: number): Uint8Array {
  const out = new Uint8Array(n);
  fillKeepMask(out, streamKey(seed, step, site), rate);
  return out;
}

function dropRate(m: Uint8Array): number {
  return 1 - m.reduce((a, b) => a + b, 0) / m.length;
}

describe('counter-based dropout masks', () => {
  it('drops close to the requested rate, with independent neighbours', () => {
    const n = 1_000_001; // odd: covers the tail element
    for (const rate of [0.1, 0.5]) {
      const m = mask(n, 42, 3, 'l0.attn_probs', rate);
      const sigma = Math.sqrt((rate * (1 - rate)) / n);
      expect(Math.abs(dropRate(m) - rate)).toBeLessThan(5 * sigma);
      // Both elements of a pair come from one 32-bit draw: their joint drop rate must still be rate^2.
      let both = 0;
      for (let i = 0; i + 1 < n; i += 2) both += m[i] === 0 && m[i + 1] === 0 ? 1 : 0;
      const pairs = Math.floor(n / 2);
      expect(Math.abs(both / pairs - rate * rate)).toBeLessThan(5 * Math.sqrt((rate * rate) / pairs));
    }
  });

  it('is a pure function of (seed, step, site): same triple same mask, any change a different mask', () => {
    const a = mask(4096, 1, 10, 'emb', 0.1);
    expect(mask(4096, 1, 10, 'emb', 0.1)).toEqual(a);
    for (const other of [
      mask(4096, 2, 10, 'emb', 0.1),
      mask(4096, 1, 11, 'emb', 0.1),
      mask(4096, 1, 10, 'emb2', 0.1),
    ]) {
      const agree = other.reduce((s, v, i) => s + (v === a[i] ? 1 : 0), 0) / a.length;
      expect(agree).toBeLessThan(0.9); // independent 10 % masks agree on ~82 % of entries
    }
    // Steps past 2^32 still change the stream.
    expect(streamKey(1, 2 ** 32 + 5, 'x')).not.toBe(streamKey(1, 5, 'x'));
  });

  it('scales kept values so that the expectation is exact for the quantised rate', () => {
    expect(dropThreshold(0.1)).toBe(6554);
    expect(keepScale(0.1) * (1 - dropThreshold(0.1) / 65536)).toBeCloseTo(1, 15);
    expect(() => dropThreshold(1)).toThrow(/\[0, 1\)/);
  });

  it('resumes: a fresh mask set filled at step k equals the one a long run drew at step k', () => {
    const sites = [
      {
        site: 'a',
        rate: 0.1,
        maskInput: maskInputName('a'),
        maskKind: 'bool' as const,
        maskDtype: 'bool' as const,
        shape: ['batch', 8],
      },
    ];
    const resolve = (d: string | number): number => (d === 'batch' ? 4 : Number(d));
    const long = new DropoutMasks(sites, 9);
    for (let s = 0; s < 5; s++) long.fill(s, resolve);
    const atFive = [...long.fill(5, resolve).values()][0]!.data.slice();
    const fresh = [...new DropoutMasks(sites, 9).fill(5, resolve).values()][0]!.data;
    expect(fresh).toEqual(atFive);
  });

  it('serves smaller batches from the largest buffer and keeps one view per shape', () => {
    const sites = [
      {
        site: 'a',
        rate: 0.5,
        maskInput: maskInputName('a'),
        maskKind: 'scaled' as const,
        maskDtype: 'float32' as const,
        shape: ['batch', 8],
      },
    ];
    const masks = new DropoutMasks(sites, 1);
    const at = (batch: number, step: number) =>
      [...masks.fill(step, (d) => (d === 'batch' ? batch : Number(d))).values()][0]!;
    const big = at(4, 0);
    const small = at(2, 1);
    expect(small.dims).toEqual([2, 8]);
    expect(small.data.length).toBe(16);
    expect(small.data.buffer).toBe(big.data.buffer);
    expect(at(2, 2)).toBe(small);
    // Same random stream as a mask drawn alone at that shape.
    const alone = new Float32Array(16);
    fillKeepMask(alone, streamKey(1, 2, 'a'), 0.5, keepScale(0.5));
    expect(at(2, 2).data).toEqual(alone);
  });
});

describe('applyDropout', () => {
  for (const kind of ['scaled', 'bool'] as const) {
    it(`zeroes dropped entries and scales kept ones in the graph (${kind} masks)`, async () => {
      const g = new Graph('drop');
      const x = g.input('x', 'float32', ['batch', 6]);
      g.output(applyDropout(g, x, 'test.site', 0.25, { mask: kind }), 'y');
      const maskDtype = kind === 'bool' ? 'bool' : 'float32';
      expect(dropoutSites(g)).toEqual([
        {
          site: 'test.site',
          rate: 0.25,
          maskInput: 'dropout.test.site.mask',
          maskKind: kind,
          maskDtype,
          shape: ['batch', 6],
        },
      ]);
      const session = await ort.InferenceSession.create(serializeModel(g));
      const xs = Float32Array.from({ length: 12 }, (_, i) => i - 5.5);
      const filled = [
        ...new DropoutMasks(dropoutSites(g), 5).fill(0, (d) => (d === 'batch' ? 2 : Number(d))).values(),
      ][0]!;
      const keep = Array.from(filled.data, (v) => v !== 0);
      expect(keep).toEqual(Array.from(mask(12, 5, 0, 'test.site', 0.25), (v) => v === 1));
      const out = await session.run({
        x: new ort.Tensor('float32', xs, [2, 6]),
        'dropout.test.site.mask': new ort.Tensor(filled.dtype, filled.data, filled.dims),
      });
      const y = out['y']!.data as Float32Array;
      xs.forEach((v, i) => expect(y[i]).toBeCloseTo(keep[i] ? v * keepScale(0.25) : 0, 5));
    });
  }

  it('adds nothing at rate 0 and refuses reused or malformed site names', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    expect(applyDropout(g, x, 'a', 0)).toBe(x);
    expect(g.inputs).toHaveLength(1);
    applyDropout(g, x, 'a', 0.1);
    expect(() => applyDropout(g, x, 'a', 0.1)).toThrow(/used twice/);
    expect(() => applyDropout(g, x, 'bad name', 0.1)).toThrow(GraphBuildError);
    expect(() => applyDropout(g, x, 'b', 1)).toThrow(/\[0, 1\)/);
  });
});
