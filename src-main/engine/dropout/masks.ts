import type { DropoutSiteInfo } from './apply';
import { fillKeepMask, keepScale, streamKey } from './prng';

/** Resolves a (possibly symbolic) shape to numbers; throws naming the unknown symbol. */
export type DimResolver = (dim: string | number, site: string) => number;

/** One filled mask, ready to wrap as a tensor of `dtype`. */
export type FilledMask =
  | { readonly dtype: 'bool'; readonly dims: readonly number[]; readonly data: Uint8Array }
  | { readonly dtype: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly dims: readonly number[]; readonly data: Float64Array };

/**
 * Preallocated keep masks for a graph's dropout sites, refilled in place for every step (no per-step
 * allocation while the batch shape stays the same).
 */
export class DropoutMasks {
  private readonly buffers = new Map<string, FilledMask>();

  constructor(
    readonly sites: readonly DropoutSiteInfo[],
    readonly seed: number,
  ) {}

  /** Fills every site's mask for `step` and returns them keyed by mask input name. */
  fill(step: number, resolve: DimResolver): ReadonlyMap<string, FilledMask> {
    for (const s of this.sites) {
      const dims = s.shape.map((d) => resolve(d, s.site));
      let buf = this.buffers.get(s.maskInput);
      if (!buf || buf.dims.length !== dims.length || buf.dims.some((d, i) => d !== dims[i])) {
        buf = allocate(s, dims);
        this.buffers.set(s.maskInput, buf);
      }
      const keep = s.maskKind === 'scaled' ? keepScale(s.rate) : 1;
      fillKeepMask(buf.data, streamKey(this.seed, step, s.site), s.rate, keep);
    }
    return this.buffers;
  }
}

function allocate(s: DropoutSiteInfo, dims: readonly number[]): FilledMask {
  const size = dims.reduce((a, b) => a * b, 1);
  switch (s.maskDtype) {
    case 'bool':
      return { dtype: 'bool', dims, data: new Uint8Array(size) };
    case 'float32':
      return { dtype: 'float32', dims, data: new Float32Array(size) };
    case 'float64':
      return { dtype: 'float64', dims, data: new Float64Array(size) };
    default:
      throw new RangeError(`dropout site '${s.site}': masks of dtype ${s.maskDtype} are not supported; use a float32 or float64 graph.`);
  }
}
