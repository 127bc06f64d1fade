/** What an export bundle's bytes are made of, as measured on the written files (the Export screen's summary). */
import { formatBytes } from '../../lib/format';

/** A written file; `sameAs`: a hard link of that file (its bytes are on disk once). */
export interface WrittenFile {
  readonly name: string;
  readonly bytes: number;
  readonly sameAs?: string;
}

export interface BundleSizes {
  /** Graph files (`.onnx`) counted, and the bytes on disk of graphs plus their weights (`.onnx_data`). */
  readonly fp32: { readonly bytes: number; readonly count: number };
  readonly int8: { readonly bytes: number; readonly count: number };
  /** Tokenizer files, configs, labels, card, example script (on disk). */
  readonly other: number;
  /** Bytes on disk, each hard-linked file once. */
  readonly onDisk: number;
  /** Bytes where hard links become copies (a zip, an upload). */
  readonly asCopies: number;
}

const isInt8 = (name: string): boolean => name.includes('model.int8.onnx') || name.includes('model_quantized.onnx');
const isModel = (name: string): boolean => name.endsWith('.onnx') || name.endsWith('.onnx_data');

/** Sums the bundle's graphs and weights by precision and everything else, hard links counted once. */
export function bundleSizes(files: readonly WrittenFile[]): BundleSizes {
  const sizes = { fp32: { bytes: 0, count: 0 }, int8: { bytes: 0, count: 0 }, other: 0, onDisk: 0, asCopies: 0 };
  for (const f of files) {
    sizes.asCopies += f.bytes;
    const own = f.sameAs === undefined ? f.bytes : 0;
    sizes.onDisk += own;
    if (!isModel(f.name)) sizes.other += own;
    else {
      const group = isInt8(f.name) ? sizes.int8 : sizes.fp32;
      group.bytes += own;
      if (f.name.endsWith('.onnx')) group.count++;
    }
  }
  return sizes;
}

/** One sentence with the measured sizes; the int8 share is of the float32 graphs and weights, as written. */
export function sizeText(s: BundleSizes): string {
  const graphs = (g: BundleSizes['fp32'], what: string): string =>
    `${g.count} ${what} graph${g.count === 1 ? '' : 's'} ${formatBytes(g.bytes)}`;
  const parts = [graphs(s.fp32, 'float32')];
  if (s.int8.count > 0 && s.fp32.bytes > 0)
    parts.push(
      `${graphs(s.int8, 'int8')} (${Math.round((100 * s.int8.bytes) / s.fp32.bytes)} % of float32: the embeddings stay float32)`,
    );
  parts.push(`tokenizer, configs and card ${formatBytes(s.other)}`);
  const shared =
    s.asCopies > s.onDisk
      ? ` The graphs of one precision share one weights file; the head folders' weights and tokenizer files are hard ` +
        `links to the root's (a zip stores them as copies: ${formatBytes(s.asCopies)}).`
      : '';
  return `${parts.join(' · ')}. ${formatBytes(s.onDisk)} on disk.${shared}`;
}
