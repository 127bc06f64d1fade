/** The split choices offered at import and re-split, and the policy each one sends. */
import type { Split, SplitPolicy } from '../../../src-preload/contract';

export type SplitChoice = { readonly kind: 'all'; readonly split: Split } | { readonly kind: 'random' };

export interface RandomSplit {
  readonly train: number;
  readonly dev: number;
  readonly test: number;
  readonly seed: number;
}

export const DEFAULT_RANDOM: RandomSplit = { train: 80, dev: 10, test: 10, seed: 42 };

/** The policy for a choice; null with a reason when the ratios cannot be used. */
export function splitPolicy(
  choice: SplitChoice,
  random: RandomSplit,
): { readonly policy: SplitPolicy } | { readonly problem: string } {
  if (choice.kind === 'all') return { policy: { mode: 'fixed', split: choice.split } };
  const parts = [random.train, random.dev, random.test];
  if (parts.some((p) => !Number.isFinite(p) || p < 0))
    return { problem: 'Ratios must be numbers of 0 or more (e.g. 80 / 10 / 10).' };
  if (parts.every((p) => p === 0)) return { problem: 'At least one ratio must be above 0.' };
  if (!Number.isInteger(random.seed)) return { problem: 'The seed must be a whole number.' };
  return { policy: { mode: 'stratified', ...random } };
}
