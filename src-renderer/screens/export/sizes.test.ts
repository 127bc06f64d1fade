import { describe, expect, it } from 'vitest';
import { bundleSizes, sizeText } from './sizes';

const MiB = 1024 * 1024;

describe('bundle sizes', () => {
  it('counts hard-linked weights once, sums by precision and states the int8 share as measured', () => {
    const files = [
      { name: 'model.onnx', bytes: 1 * MiB },
      { name: 'model.onnx_data', bytes: 86 * MiB },
      { name: 'classification/onnx/model.onnx', bytes: 1 * MiB },
      { name: 'classification/onnx/model.onnx_data', bytes: 86 * MiB, sameAs: 'model.onnx_data' },
      { name: 'model.int8.onnx', bytes: 1 * MiB },
      { name: 'model.int8.onnx_data', bytes: 54 * MiB },
      { name: 'classification/onnx/model_quantized.onnx', bytes: 1 * MiB },
      { name: 'classification/onnx/model_quantized.onnx_data', bytes: 54 * MiB, sameAs: 'model.int8.onnx_data' },
      { name: 'vocab.txt', bytes: 226 * 1024 },
      { name: 'classification/vocab.txt', bytes: 226 * 1024, sameAs: 'vocab.txt' },
      { name: 'README.md', bytes: 3 * 1024 },
    ];
    const s = bundleSizes(files);
    expect(s).toEqual({
      fp32: { bytes: 88 * MiB, count: 2 },
      int8: { bytes: 56 * MiB, count: 2 },
      other: 229 * 1024,
      onDisk: 144 * MiB + 229 * 1024,
      asCopies: 284 * MiB + 455 * 1024,
    });
    expect(sizeText(s)).toMatch(
      /^2 float32 graphs 88(\.0)? MiB · 2 int8 graphs 56(\.0)? MiB \(64 % of float32: the embeddings stay float32\) · tokenizer, configs and card 229(\.0)? KiB\. 144\.2 MiB on disk\. .*hard links.*a zip stores them as copies: 284\.4 MiB\)\.$/,
    );
  });

  it('says nothing of links or int8 when there are none', () => {
    const text = sizeText(
      bundleSizes([
        { name: 'model.onnx', bytes: 87 * MiB },
        { name: 'README.md', bytes: 3 * 1024 },
      ]),
    );
    expect(text).not.toMatch(/int8|link|zip/);
    expect(text).toMatch(/^1 float32 graph 87(\.0)? MiB · .* 87(\.0)? MiB on disk\.$/);
  });
});
