// Run analyses from the stored metrics: curves for the charts, and side-by-side comparison of runs.
import { z } from 'zod';
import type { Db } from '../../store/db';
import { getMetrics, getRun } from '../../store/repos/runs';
import type { Metric, Run, RunStatus } from '../../store/types';
import { IdSchema } from '../projects/ids';
import type { CompareRunsInput } from './schemas';

export const RunCurvesInput = z.object({
  runId: IdSchema,
  /** Only these metric names (default: all). */
  names: z.array(z.string().min(1)).max(200).optional(),
});
export type RunCurvesInput = z.output<typeof RunCurvesInput>;

/** One series for a chart (uPlot-ready columns); a NaN point (diverged loss) is null. */
export interface Curve {
  readonly name: string;
  readonly split: string;
  readonly steps: readonly number[];
  readonly values: readonly (number | null)[];
}

export interface RunCurves {
  readonly runId: number;
  readonly status: RunStatus;
  readonly curves: readonly Curve[];
}

/** Per-run metric curves, one per (split, name), in step order. */
export function runCurves(db: Db, { runId, names }: RunCurvesInput): RunCurves {
  const run = getRun(db, runId);
  const wanted = names ? new Set(names) : null;
  const series = new Map<string, { name: string; split: string; steps: number[]; values: (number | null)[] }>();
  for (const m of getMetrics(db, runId)) {
    if (wanted && !wanted.has(m.name)) continue;
    const key = `${m.split}\0${m.name}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { name: m.name, split: m.split, steps: [], values: [] }));
    s.steps.push(m.step);
    s.values.push(Number.isNaN(m.value) ? null : m.value);
  }
  return { runId, status: run.status, curves: [...series.values()] };
}

/** A config field whose value differs between the compared runs (values in input order; undefined = absent). */
export interface ConfigDifference {
  readonly path: string;
  readonly values: readonly unknown[];
}

export interface MetricPoint {
  readonly value: number | null;
  readonly step: number;
}

export interface RunSummary {
  readonly runId: number;
  readonly name: string;
  readonly status: RunStatus;
  readonly preset: string;
  readonly deviceUsed: string | null;
  /** Best dev value per headline metric (highest; lowest for losses), keyed by metric name. */
  readonly best: Readonly<Record<string, MetricPoint>>;
  /** Last value per headline metric, keyed `split/name`. */
  readonly last: Readonly<Record<string, MetricPoint>>;
}

export interface RunComparison {
  readonly runs: readonly RunSummary[];
  readonly configDiff: readonly ConfigDifference[];
  /** All runs trained on the same data snapshot. */
  readonly sameData: boolean;
}

/** Compares runs: the config fields that differ, and best/last values of the headline metrics. */
export function compareRuns(db: Db, { runIds }: CompareRunsInput): RunComparison {
  const runs = runIds.map((id) => getRun(db, id));
  return {
    runs: runs.map((r) => summarise(r, getMetrics(db, r.id))),
    configDiff: configDiff(runs),
    sameData: runs.every((r) => r.dataHash === runs[0]!.dataHash),
  };
}

function summarise(run: Run, metrics: readonly Metric[]): RunSummary {
  const best: Record<string, MetricPoint> = {};
  const last: Record<string, MetricPoint> = {};
  for (const m of metrics) {
    if (m.name.includes(':')) continue; // per-class / per-type detail stays in the curves
    const value = Number.isNaN(m.value) ? null : m.value;
    last[`${m.split}/${m.name}`] = { value, step: m.step };
    if (m.split !== 'dev' || value === null) continue;
    const lower = m.name.startsWith('loss');
    const prev = best[m.name];
    if (!prev || prev.value === null || (lower ? value < prev.value : value > prev.value))
      best[m.name] = { value, step: m.step };
  }
  return {
    runId: run.id,
    name: run.name,
    status: run.status,
    preset: run.preset,
    deviceUsed: run.deviceUsed,
    best,
    last,
  };
}

function configDiff(runs: readonly Run[]): ConfigDifference[] {
  const flat = runs.map((r) =>
    flatten({
      config: r.config,
      model: r.modelPath,
      preset: r.preset,
      deviceRequested: r.deviceRequested,
      dataHash: r.dataHash,
    }),
  );
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  return paths
    .map((path) => ({ path, values: flat.map((f) => f.get(path)) }))
    .filter((d) => d.values.some((v) => JSON.stringify(v) !== JSON.stringify(d.values[0])));
}

// Objects become dotted paths; arrays and scalars are leaves (compared as JSON).
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}
