// The shares of a learning curve in the app: nested seeded subsets of a request's tokenised train examples,
// and the check that each one can train (as `mts curve` checks its files: services/pipeline/curve.ts).
import { Rng } from '../../engine/random';
import { IGNORE, type TrainExample } from '../../engine/trainer';

/** The first round(fraction x n) examples of one seeded shuffle: a larger share contains every smaller one. */
export function pickShare(examples: readonly TrainExample[], fraction: number, seed: number): TrainExample[] {
  const order = examples.map((_, i) => i);
  Rng.fromSeed(seed * 7919 + 1).shuffle(order);
  return order.slice(0, Math.round(fraction * examples.length)).map((i) => examples[i]!);
}

/** "25 %" for 0.25. */
export const shareName = (fraction: number): string => `${Math.round(1000 * fraction) / 10} %`;

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
