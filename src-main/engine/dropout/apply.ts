import type { Graph, Shape, Value } from '../onnx';
import { GraphBuildError, op } from '../onnx';
import { keepScale } from './prng';

/** One dropout site of a graph: the bool mask input the runtime feeds every step. */
export interface DropoutSiteInfo {
  /** Stable site name (part of the mask's random stream key; keep it stable across versions for resume). */
  readonly site: string;
  readonly rate: number;
  /** Graph input name of the keep mask (bool, 1 = keep), `dropout.${site}.mask`. */
  readonly maskInput: string;
  /** The mask's (possibly symbolic) shape: the shape of the value it drops. */
  readonly shape: Shape;
}

const registry = new WeakMap<Graph, DropoutSiteInfo[]>();

/** The mask input name for a site. */
export function maskInputName(site: string): string {
  return `dropout.${site}.mask`;
}

/**
 * Inverted dropout with a mask fed in by the runtime: y = where(mask, x * 1/(1-p), 0). The mask is drawn on
 * the host from (seed, step, site) by a counter-based hash, so each step gets a fresh, reproducible mask
 * (standard ONNX has no seeded random op that changes per step; RandomUniform would repeat one mask).
 * A rate of 0 returns x and adds nothing.
 */
export function applyDropout(g: Graph, x: Value, site: string, rate: number): Value {
  if (!(rate >= 0 && rate < 1)) {
    throw new GraphBuildError('Dropout', `rate for site '${site}' must be in [0, 1), got ${rate}.`);
  }
  if (rate === 0) return x;
  if (!/^[A-Za-z0-9_.-]+$/.test(site)) {
    throw new GraphBuildError('Dropout', `site name '${site}' must use only letters, digits, '_', '.' and '-'.`);
  }
  const sites = registry.get(g) ?? [];
  const maskInput = maskInputName(site);
  if (sites.some((s) => s.site === site)) {
    throw new GraphBuildError('Dropout', `site '${site}' is used twice; give each dropout call its own site name.`);
  }
  const mask = g.input(maskInput, 'bool', x.shape);
  sites.push({ site, rate, maskInput, shape: x.shape });
  registry.set(g, sites);
  return g.withScope(`dropout.${site}`, () => {
    const scaled = op.mulScalar(g, x, keepScale(rate));
    return op.where(g, mask, scaled, g.scalar(0, x.dtype));
  });
}

/** The dropout sites added to a graph, in the order they were added. */
export function dropoutSites(g: Graph): readonly DropoutSiteInfo[] {
  return registry.get(g) ?? [];
}
