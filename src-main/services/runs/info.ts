/**
 * The contract's view of a store run row (`RunInfo`), shared by every feature that returns runs (runs.*,
 * train.*): one mapping, with the best dev metrics computed in SQLite.
 */
import { z } from 'zod';
import type { MetricPointInfo, RunDataInfo, RunInfo } from '../../../src-preload/contract';
import { runDatasetsOf } from '../../store/repos/run-datasets';
import type { Db } from '../../store/db';
import type { Run } from '../../store/types';
import { datasetId, projectId, runId } from '../api/ids';

const StoredDatasetId = z.looseObject({ datasetId: z.int().positive() });

function durationSec(run: Run, now = Date.now()): number | null {
  if (run.startedAt === null) return null;
  const end = run.endedAt === null ? now : Date.parse(run.endedAt);
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}

/** The contract's view of a run row; `best` comes from compareRuns (empty for a run without evaluations). */
export function toRunInfo(
  run: Run,
  best: Readonly<Record<string, MetricPointInfo>> = {},
  data?: readonly RunDataInfo[],
): RunInfo {
  const stored = StoredDatasetId.safeParse(run.config);
  return {
    id: runId(run.id),
    projectId: projectId(run.projectId),
    datasetId: stored.success ? datasetId(stored.data.datasetId) : null,
    name: run.name,
    preset: run.preset,
    modelPath: run.modelPath,
    dataHash: run.dataHash,
    deviceRequested: run.deviceRequested,
    deviceUsed: run.deviceUsed,
    deviceReason: run.deviceReason,
    status: run.status,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationSec: durationSec(run),
    best,
    ...(data !== undefined && { data }),
  };
}

/** The recorded datasets of each run, as the contract shapes them (deleted ones with a null id). */
export function runDataOf(db: Db, ids: readonly number[]): Map<number, readonly RunDataInfo[]> {
  const out = new Map<number, readonly RunDataInfo[]>();
  for (const [id, rows] of runDatasetsOf(db, ids)) {
    out.set(
      id,
      rows.map((r) => ({
        role: r.role,
        datasetId: r.datasetId === null ? null : datasetId(r.datasetId),
        datasetName: r.datasetName,
        split: r.split,
        deletedAt: r.deletedAt,
      })),
    );
  }
  return out;
}

// Best dev value per (run, metric) as compareRuns defines it (highest, lowest for losses, earliest step on a
// tie; per-label metrics and NaN left out), computed in SQLite: the history lists every run of a project and
// reading all their metric rows into JS took seconds for a few dozen long runs.
const BEST_SQL = `
  SELECT run_id AS runId, name, value, step FROM (
    SELECT run_id, name, value, step, ROW_NUMBER() OVER (
      PARTITION BY run_id, name
      ORDER BY CASE WHEN name LIKE 'loss%' THEN value ELSE -value END, step, rowid
    ) AS rank
    FROM run_metrics
    WHERE run_id IN (SELECT value FROM json_each(?)) AND split = 'dev' AND value IS NOT NULL AND instr(name, ':') = 0
  ) WHERE rank = 1`;

/** Best dev values of the headline metrics for each run (the `best` of compareRuns, for many runs at once). */
export function bestMetrics(db: Db, ids: readonly number[]): Map<number, Readonly<Record<string, MetricPointInfo>>> {
  const out = new Map<number, Record<string, MetricPointInfo>>(ids.map((id) => [id, {}]));
  const rows = db
    .prepare<[string], { runId: number; name: string; value: number; step: number }>(BEST_SQL)
    .all(JSON.stringify(ids));
  for (const r of rows) out.get(r.runId)![r.name] = { value: r.value, step: r.step };
  return out;
}

/** A run row with its best metrics. */
export function runInfoOf(db: Db, run: Run): RunInfo {
  return toRunInfo(run, bestMetrics(db, [run.id]).get(run.id), runDataOf(db, [run.id]).get(run.id));
}
