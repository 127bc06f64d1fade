/**
 * bench:train's `--multitask-free K` part (issue 15, "make multi-task free"): on one AG News sample, for K
 * seeds, the real trainer (full fine-tuning) trains
 *   cls-only      classification only,
 *   fixed         classification + silver NER, fixed weights 1 + 1 (what the pipeline did),
 *   uncertainty   the same with learned task weights (Kendall et al. 2018),
 *   confidence    fixed weights, silver labels below MIN_CONFIDENCE ignored in the NER loss,
 *   ner-half      fixed weights 1 + 0.5: the silver NER loss pulls the shared encoder half as hard,
 * and reports dev accuracy per seed, the means, and each multi-task variant's cost in accuracy points
 * against classification-only (`multitaskCostPoints`: cls-only mean minus the variant's mean; the target is
 * <= 0.3). Each run goes through quality.ts's recordedOurs, so `--record DIR` keeps it, and cls-only and fixed
 * are the very records of `--quality`'s runs of the same seed (same label, same key). Every line of progress
 * goes to stderr as it happens, so a cut-short run still says what it did.
 */
import type { SilverWeighting } from '../../src-main/data/silver';
import { log, round, type TrainBenchOptions } from './options';
import { classificationOnly, prepareAgNews, type Prepared, sampleSize } from './prepare';
import { recordedOurs, type TrainerOverrides } from './quality';

/** The threshold the `confidence` variant uses: drops rules right less than 60 % of the time, and unsure O words. */
export const MIN_CONFIDENCE = 0.6;

const VARIANTS = ['cls-only', 'fixed', 'uncertainty', 'confidence', 'ner-half'] as const;
type Variant = (typeof VARIANTS)[number];
type MultiTaskVariant = Exclude<Variant, 'cls-only'>;

/** AG News with silver NER; the confidence-weighted train set only when a variant needs it (dev is the same). */
async function prepare(o: TrainBenchOptions, variants: readonly Variant[]) {
  const limit = sampleSize(18400, o);
  const plain = await prepareAgNews(limit, o.devLimit, o);
  const weighting: SilverWeighting = { minConfidence: MIN_CONFIDENCE, weights: 'ignore' };
  const weighted = variants.includes('confidence') ? await prepareAgNews(limit, o.devLimit, o, weighting) : plain;
  return { plain, weighted };
}

/** What variant `v` trains: its record label (quality's for cls-only and fixed), data and trainer settings. */
function variantRun(
  v: Variant,
  seed: number,
  data: { readonly plain: Prepared; readonly weighted: Prepared },
): { readonly name: string; readonly p: Prepared; readonly extra: TrainerOverrides } {
  // Only the asked variant's data is built: classificationOnly copies every example.
  switch (v) {
    case 'cls-only':
      return { name: `cls-only-${seed}`, p: classificationOnly(data.plain), extra: {} };
    case 'fixed':
      return { name: `multitask-${seed}`, p: data.plain, extra: {} };
    case 'uncertainty':
      return { name: `multitask-uncertainty-${seed}`, p: data.plain, extra: { taskWeighting: 'uncertainty' } };
    case 'confidence':
      return { name: `multitask-confidence-${seed}`, p: data.weighted, extra: {} };
    case 'ner-half':
      return {
        name: `multitask-ner-half-${seed}`,
        p: data.plain,
        extra: { lossWeights: { classification: 1, ner: 0.5 } },
      };
  }
}

/** Parses the flag's value: 'K' (every variant) or 'K:cls-only,fixed,...' (those variants, in that order). */
export function multitaskFreeSpec(value: string): { readonly seeds: number; readonly variants: readonly Variant[] } {
  const [k, list] = value.split(':');
  const seeds = Number(k);
  const variants = list === undefined ? VARIANTS : list.split(',');
  const bad = variants.find((v) => !(VARIANTS as readonly string[]).includes(v));
  if (!Number.isInteger(seeds) || seeds < 0 || bad !== undefined) {
    throw new RangeError(
      `--multitask-free takes K or K:variants (K seeds; variants from ${VARIANTS.join(', ')}), got "${value}".`,
    );
  }
  return { seeds, variants: variants as Variant[] };
}

/** Trains (or takes from --record) the variants for `seeds` seeds from o.seed; accuracies, means and the cost field. */
export async function runMultitaskFree(
  o: TrainBenchOptions,
  dir: string,
  seeds: number,
  variants: readonly Variant[] = VARIANTS,
) {
  const data = await prepare(o, variants);
  log(`multitask-free: ${data.plain.train.length} train, ${data.plain.dev.length} dev, ${seeds} seed(s)`);
  const results = Object.fromEntries(VARIANTS.map((v) => [v, []])) as unknown as Record<
    Variant,
    { seed: number; accuracy: number; nerF1?: number; taskWeights?: object }[]
  >;
  for (let k = 0; k < seeds; k++) {
    const seed = o.seed + k;
    for (const v of variants) {
      const { name, p, extra } = variantRun(v, seed, data);
      const { ours } = await recordedOurs(name, p, dir, { ...o, seed }, extra);
      const last = ours.history.at(-1)!;
      const row = {
        seed,
        accuracy: last.accuracy!,
        ...(last.nerF1 !== undefined && { nerF1: last.nerF1 }),
        ...('taskWeights' in ours && ours.taskWeights && { taskWeights: ours.taskWeights }),
      };
      results[v].push(row);
      log(`multitask-free ${v} seed ${seed}: ${JSON.stringify(row)}`);
    }
  }
  const mean = (v: Variant): number | null =>
    results[v].length === 0 ? null : results[v].reduce((s, r) => s + r.accuracy, 0) / results[v].length;
  const base = mean('cls-only');
  const cost = (v: MultiTaskVariant): number | null => {
    const m = mean(v);
    return base === null || m === null ? null : round(100 * (base - m), 2);
  };
  const multiTask = VARIANTS.filter((v): v is MultiTaskVariant => v !== 'cls-only');
  return {
    trainExamples: data.plain.train.length,
    devExamples: data.plain.dev.length,
    epochs: o.epochs,
    seeds: Array.from({ length: seeds }, (_, k) => o.seed + k),
    minConfidence: MIN_CONFIDENCE,
    results,
    meanAccuracy: Object.fromEntries(VARIANTS.map((v) => [v, mean(v) === null ? null : round(100 * mean(v)!, 2)])),
    /** Accuracy points the second task costs (cls-only mean minus the variant's); the target is <= 0.3. */
    multitaskCostPoints: Object.fromEntries(multiTask.map((v) => [v, cost(v)])),
  };
}
