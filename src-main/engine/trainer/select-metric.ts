// Which dev metric picks the best checkpoint (and drives early stopping): the choices, how `auto` resolves
// for the heads a run trains, and the value of a chosen metric in one evaluation.
import type { EvalMetrics } from './events';

/** The choices a run may name; `tasks.mean` is the mean of classification accuracy and NER entity F1. */
export const SELECT_METRICS = [
  'auto',
  'classification.accuracy',
  'classification.macroF1',
  'ner.f1',
  'tasks.mean',
] as const;
export type SelectMetricChoice = (typeof SELECT_METRICS)[number];
export type SelectMetric = Exclude<SelectMetricChoice, 'auto'>;

/** The heads a metric scores. */
function headsOf(metric: SelectMetric): readonly ('classification' | 'ner')[] {
  if (metric === 'tasks.mean') return ['classification', 'ner'];
  return metric === 'ner.f1' ? ['ner'] : ['classification'];
}

export type SelectMetricResolution =
  { readonly ok: true; readonly metric: SelectMetric } | { readonly ok: false; readonly message: string };

/** What `auto` means for these heads: both -> their mean, one -> its main metric (see resolveSelectMetric). */
export function autoSelectMetric(tasks: { readonly classification: boolean; readonly ner: boolean }): SelectMetric {
  return tasks.classification && tasks.ner ? 'tasks.mean' : tasks.classification ? 'classification.accuracy' : 'ner.f1';
}

/**
 * `auto` picks by what the run trains: both heads -> their mean (a checkpoint kept for accuracy alone can carry
 * an NER head that has not learned yet), one head -> its main metric. A named metric must score a trained head.
 */
export function resolveSelectMetric(
  choice: SelectMetricChoice,
  tasks: { readonly classification: boolean; readonly ner: boolean },
): SelectMetricResolution {
  if (choice === 'auto') return { ok: true, metric: autoSelectMetric(tasks) };
  const missing = headsOf(choice).filter((h) => !tasks[h]);
  if (missing.length === 0) return { ok: true, metric: choice };
  const trained = (['classification', 'ner'] as const).filter((h) => tasks[h]);
  const usable = SELECT_METRICS.filter((m) => m === 'auto' || headsOf(m).every((h) => tasks[h]));
  return {
    ok: false,
    message:
      `The best checkpoint cannot be picked by ${choice}: it scores the ${missing.join(' and ')} head, which this run ` +
      `does not train (it trains ${trained.join(' and ') || 'no head'}). Choose ${usable.join(', ')}.`,
  };
}

/** The chosen metric's value in one evaluation; NaN when a head it needs was not scored. */
export function selectMetricValue(m: EvalMetrics, metric: SelectMetric): number {
  switch (metric) {
    case 'classification.accuracy':
      return m.classification?.accuracy ?? Number.NaN;
    case 'classification.macroF1':
      return m.classification?.macroF1 ?? Number.NaN;
    case 'ner.f1':
      return m.ner?.f1 ?? Number.NaN;
    case 'tasks.mean':
      return m.classification && m.ner ? (m.classification.accuracy + m.ner.f1) / 2 : Number.NaN;
  }
}

/** What a resume knows of the best kept so far: the state's early-stopping part, and best/'s own record. */
export interface SavedBest {
  /** Stored in resume states since 2026-12-08; absent before. */
  readonly metric?: string | undefined;
  readonly bestValue: number | null;
  readonly bestStep: number;
  /** best/config.json's "mts".extra (the step and metric it was kept at), or null when unreadable. */
  readonly onDisk: { readonly step?: unknown; readonly metric?: unknown } | null;
}

const isSelectMetric = (m: unknown): m is SelectMetric =>
  typeof m === 'string' && m !== 'auto' && (SELECT_METRICS as readonly string[]).includes(m);

/**
 * The metric a resumed run goes on with: the one its saved best is of. A state from before that was stored
 * says it through best/, which records the metric it was kept by (auto meant accuracy for a two-head run once,
 * the heads' mean since): with `auto` the run goes on by that metric, never switched to a new default mid-way.
 * A named metric other than the saved one is refused, and so is a saved best whose metric cannot be told.
 * Null `saved`: not a resume.
 */
export function resumedMetric(
  resolved: SelectMetric,
  choice: SelectMetricChoice,
  saved: SavedBest | null,
): SelectMetric | { readonly refused: string } {
  if (saved === null || saved.bestValue === null) return resolved;
  const fromDisk = saved.onDisk?.step === saved.bestStep && isSelectMetric(saved.onDisk.metric);
  const metric = saved.metric ?? (fromDisk ? (saved.onDisk!.metric as SelectMetric) : undefined);
  if (metric === undefined)
    return {
      refused:
        `This run's resume state keeps a best checkpoint (step ${saved.bestStep}) without saying which metric it ` +
        `was kept by, and best/ does not say either: going on could replace it by a checkpoint measured ` +
        `differently. Start the run again (without resuming).`,
    };
  if (metric === resolved || (saved.metric === undefined && choice === 'auto')) return metric as SelectMetric;
  return {
    refused:
      `This run kept its best checkpoint by ${metric} and would now go on by ${resolved}: its saved best is ` +
      `not comparable with what it would measure. Start the run again (without resuming).`,
  };
}
