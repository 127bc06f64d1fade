// Stratified, seeded train/dev/test assignment: the same inputs and seed always give the same splits.
import type { Split } from '../../store/types';

export interface SplitRatios {
  readonly train: number;
  readonly dev: number;
  readonly test: number;
}

/** A small fast PRNG (mulberry32) so splits do not depend on Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** How many of n items go to dev and test; every class with >= 2 items gets a dev example when dev > 0. */
function counts(n: number, r: SplitRatios): { dev: number; test: number } {
  const sum = r.train + r.dev + r.test;
  let dev = Math.round((n * r.dev) / sum);
  let test = Math.round((n * r.test) / sum);
  if (r.dev > 0 && dev === 0 && n >= 2) dev = 1;
  if (r.test > 0 && test === 0 && n >= 3) test = 1;
  while (dev + test > n) {
    if (test > 0) test--;
    else dev--;
  }
  return { dev, test };
}

/** Assigns each id a split, shuffling within each group (class label) with the seed; order of `items` matters. */
export function stratifiedSplits(
  items: readonly { readonly id: number; readonly group: string | null }[],
  ratios: SplitRatios,
  seed: number,
): ReadonlyMap<number, Split> {
  const groups = new Map<string, number[]>();
  for (const it of items) {
    const key = it.group === null ? '\u0000none' : `l:${it.group}`;
    let ids = groups.get(key);
    if (!ids) groups.set(key, (ids = []));
    ids.push(it.id);
  }
  const out = new Map<number, Split>();
  // Groups in sorted order, so the assignment is independent of which class appears first in the file.
  const rand = seededRandom(seed);
  for (const key of [...groups.keys()].sort()) {
    const ids = shuffled(groups.get(key) ?? [], rand);
    const { dev, test } = counts(ids.length, ratios);
    ids.forEach((id, i) => out.set(id, i < dev ? 'dev' : i < dev + test ? 'test' : 'train'));
  }
  return out;
}
