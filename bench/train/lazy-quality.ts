/**
 * bench:train's `--lazy-quality` (opt-in, long): AG News multi-task (silver NER), `full` preset, trained twice
 * through the real trainer on the same data, seed and batch plan, once with lazy word-embedding updates
 * (LazyAdam: AdamW on the batch's rows only) and once with dense ones (every row every step, as
 * PyTorch). `lazyEmbeddingQualityDelta` = lazy - dense final dev accuracy in points (target: |delta| <= 0.2).
 * The runs are sequential, not interleaved: their samples/s are informational (bench:engine and the speed
 * part compare speed fairly).
 */
import { join } from 'node:path';
import type { EmbeddingUpdates } from '../../src-main/engine/model';
import { loadTrainerModel, train } from '../../src-main/engine/trainer';
import { log, MODEL, round, type TrainBenchOptions, fullRunConfig } from './options';
import { prepareAgNews, type Prepared, sampleSize } from './prepare';

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

async function runOnce(p: Prepared, updates: EmbeddingUpdates, dir: string, o: TrainBenchOptions) {
  const model = loadTrainerModel(MODEL, p.classLabels, p.nerTags, o.seed);
  let samplesPerSec = 0;
  const t0 = performance.now();
  const res = await train(
    model,
    p,
    { ...fullRunConfig(o), embeddingUpdates: updates },
    {
      outDir: join(dir, `lazy-quality-${updates}`),
      consumeModelWeights: true,
      onEvent: (e) => {
        if (e.type !== 'step') return;
        samplesPerSec = e.samplesPerSec;
        if (e.step % 50 === 0)
          log(
            `${updates} step ${e.step}/${e.totalSteps} loss ${round(e.losses.total, 4)} ${round(samplesPerSec)} samples/s`,
          );
      },
    },
  );
  const history = res.history.map((h) => ({
    epoch: h.epoch,
    ...(h.metrics.classification && { accuracy: h.metrics.classification.accuracy }),
    ...(h.metrics.ner && { nerF1: h.metrics.ner.f1 }),
  }));
  const run: LazyQualityRun = {
    embeddingUpdates: updates,
    seconds: round((performance.now() - t0) / 1000),
    samplesPerSec: round(samplesPerSec, 2),
    steps: res.steps,
    accuracy: history.at(-1)?.accuracy ?? null,
    nerF1: history.at(-1)?.nerF1 ?? null,
    history,
  };
  log(`${updates}: ${JSON.stringify(history.at(-1))}`);
  return run;
}

/**
 * The report's `lazyQuality` part: lazy and dense runs and `lazyEmbeddingQualityDelta` (lazy - dense dev
 * accuracy after the last epoch, in points); the summary's field of that name takes it.
 */
export async function runLazyQuality(o: TrainBenchOptions, dir: string) {
  const ag = await prepareAgNews(sampleSize(18400, o), o.devLimit, o);
  const lazy = await runOnce(ag, 'lazy', dir, o);
  const dense = await runOnce(ag, 'dense', dir, o);
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
