/** What an export bundle's bytes are made of, as measured on the written files (the Export screen's summary). */
import { formatBytes } from '../../lib/format';

export interface BundleSizes {
  readonly fp32: { readonly bytes: number; readonly count: number };
  readonly int8: { readonly bytes: number; readonly count: number };
  /** Tokenizer files, configs, labels, card, example script. */
  readonly other: number;
}

const isInt8 = (name: string): boolean => name.endsWith('model.int8.onnx') || name.endsWith('model_quantized.onnx');

/** Sums the bundle's graphs by precision and everything else. */
export function bundleSizes(files: readonly { readonly name: string; readonly bytes: number }[]): BundleSizes {
  const sizes = { fp32: { bytes: 0, count: 0 }, int8: { bytes: 0, count: 0 }, other: 0 };
  for (const f of files) {
    if (!f.name.endsWith('.onnx')) sizes.other += f.bytes;
    else {
      const group = isInt8(f.name) ? sizes.int8 : sizes.fp32;
      group.bytes += f.bytes;
      group.count++;
    }
  }
  return sizes;
}

/** One sentence with the measured sizes; the int8 share is of the float32 graphs, as written. */
export function sizeText(s: BundleSizes): string {
  const graphs = (g: BundleSizes['fp32'], what: string): string =>
    `${g.count} ${what} graph${g.count === 1 ? '' : 's'} ${formatBytes(g.bytes)}`;
  const parts = [graphs(s.fp32, 'float32')];
  if (s.int8.count > 0 && s.fp32.bytes > 0)
    parts.push(
      `${graphs(s.int8, 'int8')} (${Math.round((100 * s.int8.bytes) / s.fp32.bytes)} % of float32: the embeddings stay float32)`,
    );
  parts.push(`tokenizer, configs and card ${formatBytes(s.other)}`);
  return `${parts.join(' · ')}. Each graph holds its own copy of the encoder weights.`;
}
