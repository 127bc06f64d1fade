import type { DropoutSiteInfo } from './apply';
import { fillKeepMask, streamKey } from './prng';

/** Resolves a (possibly symbolic) shape to numbers; throws naming the unknown symbol. */
export type DimResolver = (dim: string | number, site: string) => number;

/**
 * Preallocated keep masks for a graph's dropout sites, refilled in place for every step (no per-step
 * allocation while the batch shape stays the same).
 */
export class DropoutMasks {
  private readonly buffers = new Map<string, { dims: number[]; data: Uint8Array }>();

  constructor(
    readonly sites: readonly DropoutSiteInfo[],
    readonly seed: number,
  ) {}

  /** Fills every site's mask for `step` and returns them keyed by mask input name. */
  fill(step: number, resolve: DimResolver): ReadonlyMap<string, { readonly dims: readonly number[]; readonly data: Uint8Array }> {
    for (const s of this.sites) {
      const dims = s.shape.map((d) => resolve(d, s.site));
      const size = dims.reduce((a, b) => a * b, 1);
      let buf = this.buffers.get(s.maskInput);
      if (!buf || buf.data.length !== size || buf.dims.some((d, i) => d !== dims[i])) {
        buf = { dims, data: new Uint8Array(size) };
        this.buffers.set(s.maskInput, buf);
      }
      fillKeepMask(buf.data, streamKey(this.seed, step, s.site), s.rate);
    }
    return this.buffers;
  }
}
