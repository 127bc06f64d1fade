import { Rng } from '../random';

/** How batches are drawn when classification and NER come from different datasets. */
export type TaskSampling =
  | { readonly kind: 'proportional' }
  | { readonly kind: 'round-robin' }
  | { readonly kind: 'temperature'; readonly temperature: number };

/**
 * Interleaves per-task batch lists into one schedule of (task, batch index) for an epoch. proportional
 * draws tasks with probability n_i / sum n; temperature with n_i^(1/T) (T=1 is proportional, large T is
 * uniform); round-robin alternates while both have batches. Every batch appears exactly once.
 */
export function interleaveTasks<T extends string>(
  counts: Readonly<Record<T, number>>,
  sampling: TaskSampling,
  seed: number,
  epoch: number,
): { readonly task: T; readonly index: number }[] {
  const tasks = (Object.keys(counts) as T[]).filter((t) => counts[t] > 0);
  const used = new Map<T, number>(tasks.map((t) => [t, 0]));
  const rng = Rng.fromSeed(seed * 7919 + epoch);
  const total = tasks.reduce((s, t) => s + counts[t], 0);
  const schedule: { task: T; index: number }[] = [];
  const weightOf = (t: T): number => {
    if (sampling.kind === 'temperature') {
      if (!(sampling.temperature > 0)) throw new Error(`temperature must be > 0, got ${sampling.temperature}.`);
      return Math.pow(counts[t], 1 / sampling.temperature);
    }
    return counts[t];
  };
  let turn = 0;
  while (schedule.length < total) {
    const open = tasks.filter((t) => used.get(t)! < counts[t]);
    let task: T;
    if (sampling.kind === 'round-robin') {
      task = open[turn++ % open.length]!;
    } else {
      const weights = open.map(weightOf);
      let r = rng.next() * weights.reduce((a, b) => a + b, 0);
      let i = 0;
      while (i < open.length - 1 && r >= weights[i]!) r -= weights[i++]!;
      task = open[i]!;
    }
    const index = used.get(task)!;
    used.set(task, index + 1);
    schedule.push({ task, index });
  }
  return schedule;
}
