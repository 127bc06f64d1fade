/**
 * Wiring of the run analyses (services/runs, services/train curves/compare/mistakes) to the contract: the
 * `runs.*` methods. The mapping of run rows to `RunInfo` is ./info.ts, shared with the train slice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ArtifactInfo, EvalInfo, JsonValue, RunDetailInfo } from '../../../src-preload/contract';
import type { Artifact, Run } from '../../store/types';
import type { DbHandle } from '../app/db';
import { defineMethod, type MethodSlice } from '../api/methods';
import { exampleId, runId } from '../api/ids';
import { IdSchema } from '../projects/ids';
import { getRun, listRuns, ProjectRunsInput } from '.';
import { runAdvice } from './advice';
import { bestMetrics, runDataOf, runInfoOf, toRunInfo } from './info';
import { compareRuns, CompareRunsInput, RunCurvesInput, runCurves, runMistakes, RunMistakesInput } from '../train';

/** A run's stored config as JSON: it was written by JSON.stringify and read back by JSON.parse. */
function asJson(value: unknown): JsonValue {
  return value as JsonValue;
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
  best: z.looseObject({ step: z.number(), metric: z.string().optional(), metrics: EvalSchema.optional() }),
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
        : run.status === 'interrupted'
          ? `The best checkpoint is saved (${ckpt.path}); the run was interrupted before its final report, so the per-class table and confusion matrix appear once Resume training finishes it.`
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
  const { step, metric } = parsed.data.best;
  return { evaluation: { step, metric: metric ?? null, metrics }, evaluationNote: null };
}

function toArtifactInfo(a: Artifact): ArtifactInfo {
  return { kind: a.kind, path: a.path, sha256: a.sha256, bytes: a.bytes, createdAt: a.createdAt };
}

type RunsMethods = 'runs.list' | 'runs.get' | 'runs.curves' | 'runs.compare' | 'runs.mistakes';

/** Builds the `runs.*` methods over the database in `db`. */
export function runsMethods(db: DbHandle): MethodSlice<RunsMethods> {
  return {
    'runs.list': defineMethod('runs.list', ProjectRunsInput, async (input) => {
      const runs = listRuns(db.get(), input);
      const best = bestMetrics(
        db.get(),
        runs.map((r) => r.id),
      );
      const data = runDataOf(
        db.get(),
        runs.map((r) => r.id),
      );
      return runs.map((r) => toRunInfo(r, best.get(r.id), data.get(r.id)));
    }),
    'runs.get': defineMethod('runs.get', z.object({ runId: IdSchema }), async ({ runId }) => {
      const detail = getRun(db.get(), { runId });
      return {
        run: runInfoOf(db.get(), detail.run),
        config: asJson(detail.run.config),
        timings: detail.run.timings,
        artifacts: detail.artifacts.map(toArtifactInfo),
        ...readEvaluation(detail.run, detail.artifacts),
        advice: runAdvice(db.get(), detail.run).map(({ kind, task, message }) => ({ kind, task, message })),
      };
    }),
    'runs.curves': defineMethod('runs.curves', RunCurvesInput, async (input) => {
      const c = runCurves(db.get(), input);
      return { ...c, runId: runId(c.runId) };
    }),
    'runs.compare': defineMethod('runs.compare', CompareRunsInput, async (input) => {
      const c = compareRuns(db.get(), input);
      return {
        runs: c.runs.map((r) => ({ ...r, runId: runId(r.runId) })),
        // JSON has no undefined: a field a run lacks reads as null.
        configDiff: c.configDiff.map((d) => ({ path: d.path, values: d.values.map((v) => asJson(v ?? null)) })),
        sameData: c.sameData,
      };
    }),
    'runs.mistakes': defineMethod('runs.mistakes', RunMistakesInput, async (input) => {
      const m = await runMistakes(db.get(), input);
      return {
        ...m,
        runId: runId(m.runId),
        classification: m.classification.map((c) => ({ ...c, exampleId: exampleId(c.exampleId) })),
        entities: m.entities.map((e) => ({ ...e, exampleId: exampleId(e.exampleId) })),
      };
    }),
  };
}
