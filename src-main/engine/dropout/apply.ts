import type { DType, Graph, Shape, Value } from '../onnx';
import { GraphBuildError, op } from '../onnx';
import { generatedKeepMask, generatedKeepScale } from './generated';
import { keepScale } from './prng';

/**
 * How the keep mask is fed:
 * - 'scaled': a float mask of x's dtype holding 0 or 1/(1-p); one Mul forward and one Mul backward.
 *   Measured about twice as fast in the graph as 'bool' (B32 x T128 MiniLM sites), at 4x the mask memory.
 * - 'bool': a bool mask, y = where(mask, x / (1-p), 0); two ops each way, a quarter of the memory (long
 *   sequences: the [B, 12, T, T] attention masks grow with T^2).
 * - 'generated': no mask is fed; the graph hashes 2 int32 seeds per step into a bool mask (generated.ts).
 *   For GPUs, where fed masks would cross the bus every step; the CPU draws masks faster on the host.
 */
export type MaskKind = 'scaled' | 'bool' | 'generated';

/** One dropout site of a graph: the mask input the runtime feeds every step. */
export interface DropoutSiteInfo {
  /** Stable site name (part of the mask's random stream key; keep it stable across versions for resume). */
  readonly site: string;
  readonly rate: number;
  /** Graph input name of the keep mask, `dropout.${site}.mask` (for 'generated': the seeds, `.seed`). */
  readonly maskInput: string;
  readonly maskKind: MaskKind;
  readonly maskDtype: DType;
  /** The mask's (possibly symbolic) shape: the shape of the value it drops ([2] for 'generated' seeds). */
  readonly shape: Shape;
}

export interface DropoutOptions {
  readonly mask?: MaskKind;
}

const registry = new WeakMap<Graph, DropoutSiteInfo[]>();

/** The mask input name for a site. */
export function maskInputName(site: string): string {
  return `dropout.${site}.mask`;
}

/** The seed input name of a site whose mask the graph generates. */
export function seedInputName(site: string): string {
  return `dropout.${site}.seed`;
}

/**
 * Inverted dropout with a keep mask fed in by the runtime. The mask is drawn on the host from
 * (seed, step, site) by a counter-based hash, so each step gets a fresh, reproducible mask (standard ONNX
 * has no seeded random op that changes per step; RandomUniform would repeat one mask, and Bernoulli is
 * missing on DirectML). A rate of 0 returns x and adds nothing.
 */
export function applyDropout(g: Graph, x: Value, site: string, rate: number, options: DropoutOptions = {}): Value {
  if (!(rate >= 0 && rate < 1)) {
    throw new GraphBuildError('Dropout', `rate for site '${site}' must be in [0, 1), got ${rate}.`);
  }
  if (rate === 0) return x;
  if (!/^[A-Za-z0-9_.-]+$/.test(site)) {
    throw new GraphBuildError('Dropout', `site name '${site}' must use only letters, digits, '_', '.' and '-'.`);
  }
  const sites = registry.get(g) ?? [];
  if (sites.some((s) => s.site === site)) {
    throw new GraphBuildError('Dropout', `site '${site}' is used twice; give each dropout call its own site name.`);
  }
  const maskKind = options.mask ?? 'scaled';
  if (maskKind === 'generated') {
    const maskInput = seedInputName(site);
    const seeds = g.input(maskInput, 'int32', [2]);
    sites.push({ site, rate, maskInput, maskKind, maskDtype: 'int32', shape: [2] });
    registry.set(g, sites);
    return g.withScope(`dropout.${site}`, () => {
      const keep = generatedKeepMask(g, x, seeds, rate);
      return op.where(g, keep, op.mulScalar(g, x, generatedKeepScale(rate)), g.scalar(0, x.dtype));
    });
  }
  const maskDtype: DType = maskKind === 'bool' ? 'bool' : x.dtype;
  const maskInput = maskInputName(site);
  const mask = g.input(maskInput, maskDtype, x.shape);
  sites.push({ site, rate, maskInput, maskKind, maskDtype, shape: x.shape });
  registry.set(g, sites);
  return g.withScope(`dropout.${site}`, () => {
    if (maskKind === 'scaled') return op.mul(g, x, mask);
    const scaled = op.mulScalar(g, x, keepScale(rate));
    return op.where(g, mask, scaled, g.scalar(0, x.dtype));
  });
}

/** The dropout sites added to a graph, in the order they were added. */
export function dropoutSites(g: Graph): readonly DropoutSiteInfo[] {
  return registry.get(g) ?? [];
}
