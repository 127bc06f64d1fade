// The shares of a learning curve in the app: nested seeded subsets of a request's tokenised train examples,
// and the check that each one can train (as `mts curve` checks its files: services/pipeline/curve.ts).
import { Rng } from '../../engine/random';
import { IGNORE, type TrainExample } from '../../engine/trainer';

/**
 * A nested, stratified share of `items`: within each group (a class; `groupOf` gives it) the first
 * max(1, round(fraction x n)) items of one seeded shuffle of that group, in the items' own order. A larger share
 * contains every smaller one, and every group keeps at least one item, so a rare class is never left out of a
 * small share by chance (a plain prefix of one shuffle loses a class of k examples from a 25 % share with
 * probability 0.75^k).
 */
export function nestedShare<T>(
  items: readonly T[],
  fraction: number,
  seed: number,
  salt: number,
  groupOf: (item: T) => string | number,
): T[] {
  const groups = new Map<string | number, number[]>();
  items.forEach((item, i) => {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const rng = Rng.fromSeed(seed * 7919 + salt);
  const keep: number[] = [];
  for (const key of [...groups.keys()].sort()) {
    const order = groups.get(key)!;
    rng.shuffle(order);
    keep.push(...order.slice(0, Math.max(1, Math.round(fraction * order.length))));
  }
  return keep.sort((a, b) => a - b).map((i) => items[i]!);
}

/** A learning-curve share of tokenised train examples, stratified by class label (nestedShare). */
export function pickShare(examples: readonly TrainExample[], fraction: number, seed: number): TrainExample[] {
  return nestedShare(examples, fraction, seed, 1, (e) => e.classLabel);
}

/** "25 %" for 0.25. */
export const shareName = (fraction: number): string => `${sharePercent(fraction)} %`;

/** 25 for 0.25, 12.5 for 0.125: a share's percentage to one decimal (its name, and its folder in `mts curve`). */
export const sharePercent = (fraction: number): number => Math.round(1000 * fraction) / 10;

/**
 * Why shares cannot train, one line each with the numbers: fewer examples than one batch, or a class with
 * no example in the share (its head would never see it). Empty when every share can train.
 */
export function shareProblems(
  examples: readonly TrainExample[],
  fractions: readonly number[],
  batchSize: number,
  classLabels: readonly string[],
  seed: number,
): string[] {
  const problems: string[] = [];
  for (const f of fractions) {
    const share = pickShare(examples, f, seed);
    if (share.length < batchSize) {
      problems.push(
        `${shareName(f)} of the ${examples.length} train examples is ${share.length}, fewer than one batch of ${batchSize}`,
      );
      continue;
    }
    if (classLabels.length === 0) continue;
    const present = new Set(share.map((e) => e.classLabel).filter((c) => c !== IGNORE));
    const missing = classLabels.filter((_, i) => !present.has(i));
    if (missing.length > 0)
      problems.push(
        `${shareName(f)} (${share.length} examples) has no example of class ${missing.map((c) => `"${c}"`).join(', ')} (it has ${present.size} of ${classLabels.length} classes)`,
      );
  }
  return problems;
}

/** Examples with a class label, and NER-only ones: the groups the trainer batches (recipe.ts's EpochShape). */
export function shareGroups(examples: readonly TrainExample[]): number[] {
  const labelled = examples.filter((e) => e.classLabel !== IGNORE).length;
  return [labelled, examples.length - labelled].filter((n) => n > 0);
}
