import type { DropoutSiteInfo } from './apply';
import { laneSeeds } from './generated';
import { fillKeepMask, keepScale, streamKey } from './prng';

/** Resolves a (possibly symbolic) shape to numbers; throws naming the unknown symbol. */
export type DimResolver = (dim: string | number, site: string) => number;

/** One filled mask, ready to wrap as a tensor of `dtype`. */
export type FilledMask =
  | { readonly dtype: 'bool'; readonly dims: readonly number[]; readonly data: Uint8Array }
  | { readonly dtype: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly dims: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'int32'; readonly dims: readonly number[]; readonly data: Int32Array };

/**
 * Preallocated keep masks for a graph's dropout sites, refilled in place every step. Each site keeps one
 * backing buffer sized for the largest batch seen; smaller (length-bucketed) batches use views of it, so
 * alternating batch shapes allocate nothing after the first step at the largest shape.
 */
export class DropoutMasks {
  private readonly backing = new Map<string, FilledMask>();
  private readonly views = new Map<string, FilledMask>();

  constructor(
    readonly sites: readonly DropoutSiteInfo[],
    readonly seed: number,
  ) {}

  /** Fills every site's mask for `step` and returns them keyed by mask input name. */
  fill(step: number, resolve: DimResolver): ReadonlyMap<string, FilledMask> {
    const out = new Map<string, FilledMask>();
    for (const s of this.sites) {
      if (s.maskKind === 'generated') {
        out.set(s.maskInput, this.seeds(s, step));
        continue;
      }
      const mask = this.view(
        s,
        s.shape.map((d) => resolve(d, s.site)),
      );
      const keep = s.maskKind === 'scaled' ? keepScale(s.rate) : 1;
      fillKeepMask(
        mask.data as Uint8Array | Float32Array | Float64Array,
        streamKey(this.seed, step, s.site),
        s.rate,
        keep,
      );
      out.set(s.maskInput, mask);
    }
    return out;
  }

  // A generated site gets its 2 lane seeds; the graph draws the mask (generated.ts).
  private seeds(s: DropoutSiteInfo, step: number): FilledMask {
    let seeds = this.views.get(s.maskInput);
    if (!seeds) {
      seeds = { dtype: 'int32', dims: [2], data: new Int32Array(2) };
      this.views.set(s.maskInput, seeds);
    }
    (seeds.data as Int32Array).set(laneSeeds(streamKey(this.seed, step, s.site)));
    return seeds;
  }

  // The same view object is returned for the same dims, so callers can cache tensor wrappers by identity.
  private view(s: DropoutSiteInfo, dims: readonly number[]): FilledMask {
    const key = `${s.maskInput}|${dims.join(',')}`;
    const cached = this.views.get(key);
    if (cached) return cached;
    const size = dims.reduce((a, b) => a * b, 1);
    let base = this.backing.get(s.maskInput);
    if (!base || base.data.length < size) {
      base = allocate(s, size);
      this.backing.set(s.maskInput, base);
      for (const k of [...this.views.keys()]) if (k.startsWith(`${s.maskInput}|`)) this.views.delete(k);
    }
    const view = { dtype: base.dtype, dims, data: base.data.subarray(0, size) } as FilledMask;
    this.views.set(key, view);
    return view;
  }
}

function allocate(s: DropoutSiteInfo, size: number): FilledMask {
  switch (s.maskDtype) {
    case 'bool':
      return { dtype: 'bool', dims: [size], data: new Uint8Array(size) };
    case 'float32':
      return { dtype: 'float32', dims: [size], data: new Float32Array(size) };
    case 'float64':
      return { dtype: 'float64', dims: [size], data: new Float64Array(size) };
    default:
      throw new RangeError(
        `dropout site '${s.site}': masks of dtype ${s.maskDtype} are not supported; use a float32 or float64 graph.`,
      );
  }
}
