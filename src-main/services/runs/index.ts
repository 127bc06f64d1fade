// Run use-cases: what the trainer records and what the runs screen reads.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IdSchema } from '../projects/ids';
import type { Db } from '../../store/db';
import * as repo from '../../store/repos/runs';
import { getProject } from '../../store/repos/projects';
import { getDataset } from '../../store/repos/datasets';
import { RUN_STATUSES, type Artifact, type Metric, type Run } from '../../store/types';
import { ServiceError } from '../api/errors';

const id = IdSchema;

export const CreateRunInput = z.object({
  projectId: id,
  name: z.string().trim().min(1).max(200),
  config: z.record(z.string(), z.unknown()),
  preset: z.string().min(1),
  modelPath: z.string().min(1),
  dataHash: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest, e.g. from dataSnapshotHash'),
  deviceRequested: z.string().min(1),
  ownerPid: z.int().positive().optional(),
});
export type CreateRunInput = z.output<typeof CreateRunInput>;

export const UpdateRunStatusInput = z.object({
  runId: id,
  status: z.enum(RUN_STATUSES),
  deviceUsed: z.string().min(1).optional(),
  deviceReason: z.string().min(1).optional(),
  error: z.string().min(1).optional(),
  timings: z.record(z.string(), z.number().nonnegative()).optional(),
});
export type UpdateRunStatusInput = z.output<typeof UpdateRunStatusInput>;

const MetricSchema = z.object({
  step: z.int().nonnegative(),
  epoch: z.number().nonnegative(),
  split: z.string().min(1),
  name: z.string().min(1),
  // NaN allowed (a diverged loss is worth recording); JSON carries it as null.
  value: z.union([z.number(), z.nan(), z.null().transform(() => Number.NaN)]),
});
export const AppendMetricsInput = z.object({ runId: id, metrics: z.array(MetricSchema).max(100_000) });
export type AppendMetricsInput = z.output<typeof AppendMetricsInput>;

export const AddArtifactInput = z.object({
  runId: id,
  kind: z.enum(['checkpoint', 'export']),
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.int().nonnegative(),
});
export type AddArtifactInput = z.output<typeof AddArtifactInput>;

export const RunIdInput = z.object({ runId: id, metric: z.string().min(1).optional() });
export type RunIdInput = z.output<typeof RunIdInput>;

export const ProjectRunsInput = z.object({ projectId: id });
export type ProjectRunsInput = z.output<typeof ProjectRunsInput>;
export const SnapshotInput = z.object({ datasetIds: z.array(id).min(1) });
export type SnapshotInput = z.output<typeof SnapshotInput>;

export interface RunDetail {
  readonly run: Run;
  readonly metrics: readonly Metric[];
  readonly artifacts: readonly Artifact[];
}

/** Records a new run in the 'queued' state with its full config. */
export function createRun(db: Db, input: CreateRunInput): Run {
  getProject(db, input.projectId);
  return repo.createRun(db, input);
}

/** Moves a run to a new status (finished runs cannot change), recording device facts and timings. */
export function updateRunStatus(db: Db, { runId, ...u }: UpdateRunStatusInput): Run {
  return repo.updateRunStatus(db, runId, u);
}

/** Appends a batch of metric points in one transaction. */
export function appendMetrics(db: Db, { runId, metrics }: AppendMetricsInput): { readonly appended: number } {
  repo.appendMetrics(db, runId, metrics);
  return { appended: metrics.length };
}

/** Records a checkpoint or export file of a run. */
export function addArtifact(db: Db, input: AddArtifactInput): Artifact {
  return repo.addArtifact(db, input);
}

/** A project's runs, newest first. */
export function listRuns(db: Db, { projectId }: ProjectRunsInput): readonly Run[] {
  getProject(db, projectId);
  return repo.listRuns(db, projectId);
}

/** A run with its metrics (optionally one metric) and artifacts. */
export function getRun(db: Db, { runId, metric }: RunIdInput): RunDetail {
  return {
    run: repo.getRun(db, runId),
    metrics: repo.getMetrics(db, runId, metric),
    artifacts: repo.listArtifacts(db, runId),
  };
}

/** Call once at startup: runs left running/queued by a process that has died become 'interrupted'. */
export function recoverInterruptedRuns(db: Db, isAlive?: (pid: number) => boolean): readonly number[] {
  return repo.markOrphanedRunsInterrupted(db, isAlive);
}

/**
 * SHA-256 over everything training reads from the given datasets: text, split, class label and accepted or
 * pending (non-rejected, non-model) spans. Equal hashes mean the same training data.
 */
export function dataSnapshotHash(db: Db, { datasetIds }: SnapshotInput): string {
  const hash = createHash('sha256');
  const ex = db.prepare<[number], { id: number; text: string; split: string | null; class_label: string | null }>(
    'SELECT id, text, split, class_label FROM examples WHERE dataset_id = ? ORDER BY line',
  );
  const sp = db.prepare<[number], { line: number; char_start: number; char_end: number; type: string }>(
    `SELECT e.line, s.char_start, s.char_end, s.type FROM spans s JOIN examples e ON e.id = s.example_id
     WHERE e.dataset_id = ? AND s.source != 'model' AND s.status != 'rejected' ORDER BY e.line, s.char_start, s.char_end, s.type`,
  );
  for (const datasetId of [...datasetIds].sort((a, b) => a - b)) {
    const dataset = getDataset(db, datasetId);
    if (dataset.status !== 'ready') {
      throw new ServiceError(
        'conflict',
        `Dataset "${dataset.name}" is still importing; a run can only use finished datasets.`,
      );
    }
    for (const r of ex.iterate(datasetId)) hash.update(JSON.stringify([r.text, r.split, r.class_label])).update('\n');
    hash.update('--spans--\n');
    for (const s of sp.iterate(datasetId)) hash.update(`${s.line}:${s.char_start},${s.char_end},${s.type}\n`);
  }
  return hash.digest('hex');
}

export { bestMetrics, runDataOf, runInfoOf, toRunInfo } from './info';
