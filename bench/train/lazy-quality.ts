/**
 * bench:train's `--lazy-quality` (opt-in, long): AG News multi-task (silver NER), `full` preset, trained twice
 * through the real trainer on the same data, seed and batch plan, once with lazy word-embedding updates
 * (LazyAdam: AdamW on the batch's rows only) and once with dense ones (every row every step, as
 * PyTorch). `lazyEmbeddingQualityDelta` = lazy - dense final dev accuracy in points (target: |delta| <= 0.2).
 * The runs are sequential, not interleaved: their samples/s are informational (bench:engine and the speed
 * part compare speed fairly). With `--record DIR` the dense run is the `--quality` multi-task run of the same
 * seed (one training for both).
 */
import type { EmbeddingUpdates } from '../../src-main/engine/model';
import { round, type TrainBenchOptions } from './options';
import { prepareAgNews, type Prepared, sampleSize } from './prepare';
import { recordedOurs } from './quality';

/** Points of dev accuracy the lazy run may lose (or gain) against the dense one. */
export const LAZY_QUALITY_TARGET_POINTS = 0.2;

interface LazyQualityRun {
  readonly embeddingUpdates: EmbeddingUpdates;
  readonly seconds: number;
  readonly samplesPerSec: number;
  readonly steps: number;
  readonly accuracy: number | null;
  readonly nerF1: number | null;
  readonly history: readonly { readonly epoch: number; readonly accuracy?: number; readonly nerF1?: number }[];
}

/** One side as the report shows it, from our quality run (trained, or its --record). */
async function runOnce(p: Prepared, updates: EmbeddingUpdates, dir: string, o: TrainBenchOptions) {
  // The dense run is the multi-task quality run of this seed: the same label and key, so --record shares it.
  const name = updates === 'dense' ? `multitask-${o.seed}` : `multitask-lazy-${o.seed}`;
  const { ours } = await recordedOurs(name, p, dir, { ...o, embeddingUpdates: updates });
  const history = ours.history.map((h) => ({
    epoch: h.epoch,
    ...(h.accuracy !== undefined && { accuracy: h.accuracy }),
    ...(h.nerF1 !== undefined && { nerF1: h.nerF1 }),
  }));
  const run: LazyQualityRun = {
    embeddingUpdates: updates,
    seconds: ours.seconds,
    samplesPerSec: ours.samplesPerSec,
    steps: ours.steps,
    accuracy: history.at(-1)?.accuracy ?? null,
    nerF1: history.at(-1)?.nerF1 ?? null,
    history,
  };
  return run;
}

/**
 * The report's `lazyQuality` part: lazy and dense runs and `lazyEmbeddingQualityDelta` (lazy - dense dev
 * accuracy after the last epoch, in points); the summary's field of that name takes it.
 */
export async function runLazyQuality(o: TrainBenchOptions, dir: string) {
  const ag = await prepareAgNews(sampleSize(18400, o), o.devLimit, o);
  const dense = await runOnce(ag, 'dense', dir, o);
  const lazy = await runOnce(ag, 'lazy', dir, o);
  const points = (a: number | null, b: number | null): number | null =>
    a !== null && b !== null ? round(100 * (a - b), 2) : null;
  const delta = points(lazy.accuracy, dense.accuracy);
  return {
    variant: {
      fraction: o.fraction,
      limit: o.limit,
      devLimit: o.devLimit,
      epochs: o.epochs,
      trainExamples: ag.train.length,
      devExamples: ag.dev.length,
      full: o.fraction === 1 && o.limit === 0 && o.devLimit === 0 && o.epochs === 2,
    },
    lazy,
    dense,
    lazyEmbeddingQualityDelta: delta,
    nerF1DeltaPoints: points(lazy.nerF1, dense.nerF1),
    target: `|lazy - dense| dev accuracy <= ${LAZY_QUALITY_TARGET_POINTS} points`,
    met: delta === null ? null : Math.abs(delta) <= LAZY_QUALITY_TARGET_POINTS,
  };
}
