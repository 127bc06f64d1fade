/**
 * bench:train's `summary`: the ratios issue 14 names, each taken from a part of this run's report (null when
 * that part did not run: `--all` runs them all), beside the target each must meet.
 */

export const TARGETS = {
  fullRatio: '>= 1.0 (full fine-tuning samples/s, ours / PyTorch eager, same batches)',
  headsOnlyRatio: 'informational (heads-only step samples/s, ours / PyTorch)',
  frozenEpochRatio: '>= 3.0 (heads-only 2 epochs wall, PyTorch / ours with the feature cache)',
  endToEndRatio: '>= 2.0 (seed PyTorch pipeline wall / mts pipeline wall, AG News 2 epochs)',
  lazyEmbeddingQualityDelta: '<= 0.2 points (AG News 2-epoch dev accuracy, lazy vs dense embedding updates)',
  rss: 'ours <= PyTorch peak RSS in every mode',
} as const;

type Report = Readonly<Record<string, unknown>>;

/** Reads a number at a path of keys, or null. */
function at(report: Report, ...keys: readonly string[]): number | null {
  let v: unknown = report;
  for (const k of keys) v = typeof v === 'object' && v !== null ? (v as Report)[k] : undefined;
  return typeof v === 'number' ? v : null;
}

/** The summary object: one field per issue-14 measure and the RSS ratios (ours / PyTorch) per mode. */
export function summarize(report: Report) {
  return {
    fullRatio: at(report, 'speed', 'full', 'ratioSamplesPerSec'),
    headsOnlyRatio: at(report, 'speed', 'heads-only', 'ratioSamplesPerSec'),
    frozenEpochRatio: at(report, 'frozenEpochs', 'frozenEpochRatio'),
    endToEndRatio: at(report, 'endToEnd', 'endToEndRatio'),
    lazyEmbeddingQualityDelta: at(report, 'lazyQuality', 'lazyEmbeddingQualityDelta'),
    rssOursOverTorch: {
      full: at(report, 'speed', 'full', 'rssRatioOursOverTorch'),
      headsOnly: at(report, 'speed', 'heads-only', 'rssRatioOursOverTorch'),
      frozenEpochs: at(report, 'frozenEpochs', 'rssRatioOursOverTorch'),
      endToEnd: at(report, 'endToEnd', 'rssRatioOursOverTorch'),
    },
  };
}
