/**
 * `--seeds 42,43,44`: a quality part run once per seed (head initialisation, batch order and dropout masks
 * change; the data sample does not), with the mean and spread of each side's final dev metrics, as issue 15's
 * targets ask ("3 seeds each ... mean within 0.5 points").
 */
import { round, type TrainBenchOptions } from './options';

type Run = Readonly<Record<string, unknown>>;
type Finals = Record<string, number>;

/** The final-epoch metrics of one trained variant, ours and PyTorch's, keyed `ours.accuracy`, `torch.nerF1`... */
function finals(part: unknown): Finals {
  const out: Finals = {};
  const p = part as { ours?: { history?: readonly Run[] }; torch?: { history?: readonly Run[] } | string };
  for (const side of ['ours', 'torch'] as const) {
    const h = typeof p[side] === 'object' ? (p[side] as { history?: readonly Run[] }).history : undefined;
    const last = h?.at(-1) ?? {};
    for (const k of ['accuracy', 'nerF1'] as const) {
      const v = last[k];
      if (typeof v === 'number') out[`${side}.${k}`] = v;
    }
  }
  return out;
}

/** Count, mean, sample standard deviation, min and max of `xs`, rounded to 2 decimals. */
export function summary(xs: readonly number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return {
    n: xs.length,
    mean: round(mean, 2),
    sd: round(sd, 2),
    min: round(Math.min(...xs), 2),
    max: round(Math.max(...xs), 2),
  };
}

/** Mean, sample standard deviation, min and max, in points (x100), of each final metric over the seeds. */
export function spread(perSeedFinals: readonly Finals[]) {
  const keys = [...new Set(perSeedFinals.flatMap((f) => Object.keys(f)))];
  return Object.fromEntries(
    keys.map((k) => [
      k,
      summary(
        perSeedFinals
          .map((f) => f[k])
          .filter((v): v is number => v !== undefined)
          .map((v) => 100 * v),
      ),
    ]),
  );
}

/**
 * Runs `run` for `--seed` alone, or for each of `--seeds`; with several seeds the result holds every seed's
 * parts under `seeds` and, per part, `spread` of the final metrics.
 */
export async function perSeed<T extends Record<string, unknown>>(
  o: TrainBenchOptions,
  run: (o: TrainBenchOptions) => Promise<T>,
): Promise<T | { seeds: Record<number, T>; spread: Record<string, ReturnType<typeof spread>> }> {
  if (o.seeds.length <= 1) return run(o.seeds.length === 1 ? { ...o, seed: o.seeds[0]! } : o);
  const results: Record<number, T> = {};
  for (const seed of o.seeds) results[seed] = await run({ ...o, seed });
  const parts = Object.keys(Object.values(results)[0]!);
  return {
    seeds: results,
    spread: Object.fromEntries(parts.map((p) => [p, spread(Object.values(results).map((r) => finals(r[p])))])),
  };
}
