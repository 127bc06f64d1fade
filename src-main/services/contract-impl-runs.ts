/**
 * Wiring of the run analyses (services/runs, services/train curves/compare/mistakes) to the contract, and the
 * mapping of store run rows to the contract's `RunInfo` that the train slice shares.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type {
  ArtifactInfo,
  DatasetId,
  EvalInfo,
  ExampleId,
  JsonValue,
  MetricPointInfo,
  ProjectId,
  RunDetailInfo,
  RunId,
  RunInfo,
} from '../../src-preload/contract';
import type { Db } from '../store/db';
import type { Artifact, Run } from '../store/types';
import type { DbHandle } from './contract-impl-db';
import { defineMethod, type MethodSlice } from './contract-impl-types';
import { unwrap } from './errors';
import { exportRun, ExportRunInput } from './export';
import { IdSchema } from './projects/ids';
import { getRun, listRuns, ProjectRunsInput } from './runs';
import { compareRuns, CompareRunsInput, RunCurvesInput, runCurves, runMistakes, RunMistakesInput } from './train';

// Branding happens here, where ids leave the store.
export const runId = (id: number): RunId => id as RunId;
const projectId = (id: number): ProjectId => id as ProjectId;
const exampleId = (id: number): ExampleId => id as ExampleId;

const StoredDatasetId = z.looseObject({ datasetId: z.int().positive() });

/** A run's stored config as JSON: it was written by JSON.stringify and read back by JSON.parse. */
function asJson(value: unknown): JsonValue {
  return value as JsonValue;
}

function durationSec(run: Run, now = Date.now()): number | null {
  if (run.startedAt === null) return null;
  const end = run.endedAt === null ? now : Date.parse(run.endedAt);
  return Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
}

/** The contract's view of a run row; `best` comes from compareRuns (empty for a run without evaluations). */
export function toRunInfo(run: Run, best: Readonly<Record<string, MetricPointInfo>> = {}): RunInfo {
  const stored = StoredDatasetId.safeParse(run.config);
  return {
    id: runId(run.id),
    projectId: projectId(run.projectId),
    datasetId: stored.success ? (stored.data.datasetId as DatasetId) : null,
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
  };
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
  return toRunInfo(run, bestMetrics(db, [run.id]).get(run.id));
}

const Prf = { precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() };
const Losses = z.object({ total: z.number(), classification: z.number().optional(), ner: z.number().optional() });
const EvalSchema = z.object({
  classification: z
    .object({
      accuracy: z.number(),
      macroF1: z.number(),
      perClass: z.array(z.object({ label: z.string(), ...Prf })),
      confusion: z.array(z.array(z.number())),
      labels: z.array(z.string()),
    })
    .optional(),
  ner: z
    .object({
      precision: z.number(),
      recall: z.number(),
      f1: z.number(),
      perType: z.array(z.object({ type: z.string(), ...Prf })),
    })
    .optional(),
  loss: Losses.optional(),
});
// The trainer's metrics.json (TrainResult): only the best evaluation is read.
const MetricsFile = z.looseObject({
  best: z.looseObject({ step: z.number(), metrics: EvalSchema.optional() }),
});

type Evaluation = Pick<RunDetailInfo, 'evaluation' | 'evaluationNote'>;

/** The best checkpoint's evaluation from the run folder's metrics.json (written when a run ends). */
function readEvaluation(run: Run, artifacts: readonly Artifact[]): Evaluation {
  const ckpt = artifacts.filter((a) => a.kind === 'checkpoint').at(-1);
  if (!ckpt) {
    const why = run.status === 'running' ? 'it is still training' : `it ended ${run.status} before evaluating`;
    return { evaluation: null, evaluationNote: `Run ${run.id} has no checkpoint yet: ${why}.` };
  }
  const file = join(dirname(ckpt.path), 'metrics.json');
  if (!existsSync(file)) {
    const note =
      run.status === 'running'
        ? 'The per-class table and confusion matrix appear when the run ends.'
        : `The run folder has no metrics.json (${file}); it was moved or deleted.`;
    return { evaluation: null, evaluationNote: note };
  }
  let parsed: z.ZodSafeParseResult<z.infer<typeof MetricsFile>>;
  try {
    parsed = MetricsFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    return { evaluation: null, evaluationNote: `${file} is not valid JSON (${(err as Error).message}).` };
  }
  if (!parsed.success || !parsed.data.best.metrics) {
    return { evaluation: null, evaluationNote: `${file} holds no evaluation of the best checkpoint.` };
  }
  const metrics: EvalInfo = parsed.data.best.metrics;
  return { evaluation: { step: parsed.data.best.step, metrics }, evaluationNote: null };
}

function toArtifactInfo(a: Artifact): ArtifactInfo {
  return { kind: a.kind, path: a.path, sha256: a.sha256, bytes: a.bytes, createdAt: a.createdAt };
}

type RunsMethods = 'runs.list' | 'runs.get' | 'runs.curves' | 'runs.compare' | 'runs.mistakes';

/** Builds the `runs.*` methods over the database in `db`. */
export function runsMethods(db: DbHandle): MethodSlice<RunsMethods> {
  return {
    'runs.list': defineMethod('runs.list', ProjectRunsInput, async (input) => {
      const runs = unwrap(listRuns(db.get(), input));
      const best = bestMetrics(
        db.get(),
        runs.map((r) => r.id),
      );
      return runs.map((r) => toRunInfo(r, best.get(r.id)));
    }),
    'runs.get': defineMethod('runs.get', z.object({ runId: IdSchema }), async ({ runId }) => {
      const detail = unwrap(getRun(db.get(), { runId }));
      return {
        run: runInfoOf(db.get(), detail.run),
        config: asJson(detail.run.config),
        timings: detail.run.timings,
        artifacts: detail.artifacts.map(toArtifactInfo),
        ...readEvaluation(detail.run, detail.artifacts),
      };
    }),
    'runs.curves': defineMethod('runs.curves', RunCurvesInput, async (input) => {
      const c = unwrap(runCurves(db.get(), input));
      return { ...c, runId: runId(c.runId) };
    }),
    'runs.compare': defineMethod('runs.compare', CompareRunsInput, async (input) => {
      const c = unwrap(compareRuns(db.get(), input));
      return {
        runs: c.runs.map((r) => ({ ...r, runId: runId(r.runId) })),
        // JSON has no undefined: a field a run lacks reads as null.
        configDiff: c.configDiff.map((d) => ({ path: d.path, values: d.values.map((v) => asJson(v ?? null)) })),
        sameData: c.sameData,
      };
    }),
    'runs.mistakes': defineMethod('runs.mistakes', RunMistakesInput, async (input) => {
      const m = unwrap(await runMistakes(db.get(), input));
      return {
        ...m,
        runId: runId(m.runId),
        classification: m.classification.map((c) => ({ ...c, exampleId: exampleId(c.exampleId) })),
        entities: m.entities.map((e) => ({ ...e, exampleId: exampleId(e.exampleId) })),
      };
    }),
  };
}

/** Builds `export.run`: the run's bundle in a folder the user chose, with its files and parity result. */
export function exportMethods(db: DbHandle): MethodSlice<'export.run'> {
  return {
    'export.run': defineMethod('export.run', ExportRunInput, async (input) => {
      const r = unwrap(await exportRun(db.get(), input));
      return {
        outDir: r.outDir,
        files: r.files.map((name) => ({ name, bytes: statSync(join(r.outDir, name)).size })),
        parity: r.parity,
        worstParity: r.worstParity,
        sha256: r.artifact.sha256,
        ...(r.int8Drift && { int8Agreement: r.int8Drift }),
      };
    }),
  };
}
