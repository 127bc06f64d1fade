import { describe, expect, it } from 'vitest';
import { bundleSizes, sizeText } from './sizes';

const MiB = 1024 * 1024;

describe('bundle sizes', () => {
  it('sums graphs by precision and states the int8 share as measured, not as promised', () => {
    const files = [
      { name: 'model.onnx', bytes: 87 * MiB },
      { name: 'classification/onnx/model.onnx', bytes: 87 * MiB },
      { name: 'model.int8.onnx', bytes: 56 * MiB },
      { name: 'classification/onnx/model_quantized.onnx', bytes: 56 * MiB },
      { name: 'vocab.txt', bytes: 226 * 1024 },
      { name: 'README.md', bytes: 3 * 1024 },
    ];
    const s = bundleSizes(files);
    expect(s).toEqual({
      fp32: { bytes: 174 * MiB, count: 2 },
      int8: { bytes: 112 * MiB, count: 2 },
      other: 229 * 1024,
    });
    expect(sizeText(s)).toMatch(
      /^2 float32 graphs 174(\.0)? MiB · 2 int8 graphs 112(\.0)? MiB \(64 % of float32: the embeddings stay float32\) · /,
    );
    expect(
      sizeText(bundleSizes(files.filter((f) => !f.name.includes('int8') && !f.name.includes('quantized')))),
    ).not.toMatch(/int8/);
  });
});
