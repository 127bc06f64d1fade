/** Display helpers shared by the Train, Runs, Playground and Export screens. */
import type { RunInfo, RunStatus } from '../../../src-preload/contract';

const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#e67700', '#5c940d'];

/** A distinct colour per series index (repeats after eight). */
export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/** 0.9134 -> "91.3 %". */
export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : `${(value * 100).toFixed(digits)} %`;
}

/** 95 -> "1 min 35 s"; null -> "—". */
export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  if (sec < 60) return `${sec.toFixed(sec < 10 ? 1 : 0)} s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m} min ${Math.round(sec % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** 1234567 -> "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A short local date and time for tables. */
export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Tone of the status badge for a run status. */
export function statusTone(status: RunStatus): 'ok' | 'warn' | 'bad' | 'neutral' {
  switch (status) {
    case 'completed':
      return 'ok';
    case 'running':
    case 'queued':
      return 'neutral';
    case 'cancelled':
    case 'interrupted':
      return 'warn';
    case 'failed':
      return 'bad';
  }
}

/** Metric names as people read them. */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  'classification.accuracy': 'Accuracy',
  'classification.macroF1': 'Macro-F1',
  'ner.f1': 'Entity F1',
  'ner.precision': 'Entity precision',
  'ner.recall': 'Entity recall',
  'tasks.mean': 'Mean of accuracy and entity F1',
  loss: 'Loss',
  'loss.classification': 'Class loss',
  'loss.ner': 'NER loss',
};

/** The headline numbers of a run, for tables: accuracy, macro-F1, entity F1 (those it has). */
export function headline(run: RunInfo): readonly { readonly label: string; readonly value: string }[] {
  return ['classification.accuracy', 'classification.macroF1', 'ner.f1'].flatMap((name) => {
    const point = run.best[name];
    return point ? [{ label: METRIC_LABELS[name]!, value: pct(point.value) }] : [];
  });
}

/** The last path segment (model folder name). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}

/** "Best Accuracy: 76.7 % (step 40)", or what it means when no evaluation ran (a run cancelled early). */
export function bestText(best: {
  readonly metric: string;
  readonly value: number | null;
  readonly step: number;
}): string {
  if (best.value === null || best.step < 0)
    return 'No evaluation ran before it stopped, so there is no best checkpoint yet.';
  return `Best ${METRIC_LABELS[best.metric] ?? best.metric}: ${pct(best.value)} (step ${best.step}).`;
}
