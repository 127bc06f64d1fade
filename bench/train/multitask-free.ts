/**
 * bench:train's `--multitask-free K` part (issue 15, "make multi-task free"): on one AG News sample, for K
 * seeds, the real trainer (full fine-tuning) trains
 *   cls-only      classification only,
 *   fixed         classification + silver NER, fixed weights 1 + 1 (what the pipeline did),
 *   uncertainty   the same with learned task weights (Kendall et al. 2018),
 *   confidence    fixed weights, silver labels below MIN_CONFIDENCE ignored in the NER loss,
 * and reports dev accuracy per seed, the means, and each multi-task variant's cost in accuracy points
 * against classification-only (`multitaskCostPoints`: cls-only mean minus the variant's mean; the target is
 * <= 0.3). Every line of progress goes to stderr as it happens, so a cut-short run still says what it did.
 */
import { join } from 'node:path';
import { bioLabelList } from '../../src-main/data/align';
import { prepareExamples, type LabelledText } from '../../src-main/data/prepare';
import { silverLabeler, silverWeightRanges } from '../../src-main/data/silver';
import { WordPieceTokenizer } from '../../src-main/engine/tokenizer';
import { loadTrainerModel, train, type TrainerConfigInput, type TrainExample } from '../../src-main/engine/trainer';
import { classLabelSet, readLabelledFile } from '../../src-main/services/pipeline';
import { log, MODEL, round, SHARED, type TrainBenchOptions, fullRunConfig } from './options';
import { type Prepared, sampleSize } from './prepare';

/** The threshold the `confidence` variant uses: drops rules right less than 60 % of the time, and unsure O words. */
export const MIN_CONFIDENCE = 0.6;

const VARIANTS = ['cls-only', 'fixed', 'uncertainty', 'confidence'] as const;
type Variant = (typeof VARIANTS)[number];

/** AG News with silver NER, train examples with and without confidence weights (dev is the same). */
async function prepare(o: TrainBenchOptions): Promise<{ readonly plain: Prepared; readonly weighted: Prepared }> {
  const tokenizer = WordPieceTokenizer.fromDir(MODEL);
  const trainPath = join(SHARED, 'data/ag_news/train.csv');
  const devPath = join(SHARED, 'data/ag_news/dev.csv');
  const tr = await readLabelledFile(trainPath, { limit: sampleSize(18400, o) });
  const dv = await readLabelledFile(devPath, { limit: o.devLimit });
  const classLabels = classLabelSet(tr.items, dv.items, trainPath, devPath);
  const labeler = silverLabeler();
  const weighting = { minConfidence: MIN_CONFIDENCE, weights: 'ignore' as const };
  const label = (items: readonly LabelledText[], weights: boolean): LabelledText[] =>
    items.map((e) => {
      const out = labeler.explain(e.text);
      const ranges = weights ? silverWeightRanges(out, weighting) : [];
      return { ...e, spans: out.spans, ...(ranges.length > 0 && { nerWeights: ranges }) };
    });
  const nerTags = bioLabelList(labeler.types);
  const prep = (items: LabelledText[]): TrainExample[] =>
    prepareExamples(items, tokenizer, { classLabels, nerTags, maxLength: o.maxLength, hasNer: true }).examples;
  const dev = prep(label(dv.items, false));
  return {
    plain: { train: prep(label(tr.items, false)), dev, classLabels, nerTags },
    weighted: { train: prep(label(tr.items, true)), dev, classLabels, nerTags },
  };
}

function dataFor(v: Variant, d: { readonly plain: Prepared; readonly weighted: Prepared }): Prepared {
  if (v === 'confidence') return d.weighted;
  if (v !== 'cls-only') return d.plain;
  const strip = (xs: readonly TrainExample[]): TrainExample[] =>
    xs.map((e) => ({ ids: e.ids, classLabel: e.classLabel }));
  return { train: strip(d.plain.train), dev: strip(d.plain.dev), classLabels: d.plain.classLabels, nerTags: [] };
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

/** Trains the variants for `seeds` seeds from o.seed; returns accuracies, means and the cost field. */
export async function runMultitaskFree(
  o: TrainBenchOptions,
  dir: string,
  seeds: number,
  variants: readonly Variant[] = VARIANTS,
) {
  const data = await prepare(o);
  log(`multitask-free: ${data.plain.train.length} train, ${data.plain.dev.length} dev, ${seeds} seed(s)`);
  const results: Record<Variant, { seed: number; accuracy: number; nerF1?: number; taskWeights?: object }[]> = {
    'cls-only': [],
    fixed: [],
    uncertainty: [],
    confidence: [],
  };
  for (let k = 0; k < seeds; k++) {
    const seed = o.seed + k;
    for (const v of variants) {
      const p = dataFor(v, data);
      const config: TrainerConfigInput = {
        ...fullRunConfig({ ...o, seed }),
        taskWeighting: v === 'uncertainty' ? 'uncertainty' : 'fixed',
      };
      const t0 = performance.now();
      const res = await train(loadTrainerModel(MODEL, p.classLabels, p.nerTags, seed), p, config, {
        outDir: join(dir, `mtl-${v}-${seed}`),
        consumeModelWeights: true,
        checkpointEverySec: 0,
        onEvent: (e) => {
          if (e.type === 'step' && e.step % 10 === 0)
            log(
              `multitask-free ${v} seed ${seed} step ${e.step}/${e.totalSteps}, ${round(e.samplesPerSec, 2)} samples/s`,
            );
        },
      });
      const last = res.history.at(-1)!.metrics;
      const row = {
        seed,
        accuracy: last.classification!.accuracy,
        ...(last.ner && { nerF1: last.ner.f1 }),
        ...(res.taskWeights && { taskWeights: res.taskWeights }),
      };
      results[v].push(row);
      log(`multitask-free ${v} seed ${seed}: ${JSON.stringify(row)} in ${round((performance.now() - t0) / 1000)} s`);
    }
  }
  const mean = (v: Variant): number | null =>
    results[v].length === 0 ? null : results[v].reduce((s, r) => s + r.accuracy, 0) / results[v].length;
  const base = mean('cls-only');
  const cost = (v: Variant): number | null => {
    const m = mean(v);
    return base === null || m === null ? null : round(100 * (base - m), 2);
  };
  return {
    trainExamples: data.plain.train.length,
    devExamples: data.plain.dev.length,
    epochs: o.epochs,
    seeds: Array.from({ length: seeds }, (_, k) => o.seed + k),
    minConfidence: MIN_CONFIDENCE,
    results,
    meanAccuracy: Object.fromEntries(VARIANTS.map((v) => [v, mean(v) === null ? null : round(100 * mean(v)!, 2)])),
    /** Accuracy points the second task costs (cls-only mean minus the variant's); the target is <= 0.3. */
    multitaskCostPoints: { fixed: cost('fixed'), uncertainty: cost('uncertainty'), confidence: cost('confidence') },
  };
}
