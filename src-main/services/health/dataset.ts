// Dataset health in the app: the check over a stored dataset (train vs dev split), kept with the dataset
// version it ran on, and its findings accepted as undoable annotation edits.
import { z } from 'zod';
import type { Db } from '../../store/db';
import { recordEdit } from '../../store/repos/annotationLog';
import { getDataset } from '../../store/repos/datasets';
import { getExample } from '../../store/repos/examples';
import { insertHealthReport, latestHealthReport } from '../../store/repos/health';
import { setClassLabel } from '../annotate';
import { projectOfExample } from '../annotate/edits';
import { ServiceError } from '../api/errors';
import { IdSchema } from '../projects/ids';
import { dataSnapshotHash } from '../runs';
import { runCheckpointDir } from '../train/artifacts';
import { analyseHealth, HealthSettings, type HealthRuntime } from './analyse';
import type { DataRow } from './read';
import type { HealthReport } from './report';

export const CheckDatasetInput = HealthSettings.extend({
  datasetId: IdSchema,
  /** Absolute path of the model folder whose frozen encoder embeds the texts. */
  modelDir: z.string().min(1),
  /** A finished run whose classifier scores dev (optional). */
  runId: IdSchema.optional(),
});
export type CheckDatasetInput = z.output<typeof CheckDatasetInput>;

export const DatasetIdInput = z.object({ datasetId: IdSchema });
export type DatasetIdInput = z.output<typeof DatasetIdInput>;

export const AcceptFindingInput = z.discriminatedUnion('action', [
  z.object({ action: z.literal('relabel'), exampleId: IdSchema, label: z.string().trim().min(1).max(200) }),
  z.object({ action: z.literal('drop'), exampleId: IdSchema }),
]);
export type AcceptFindingInput = z.output<typeof AcceptFindingInput>;

/** A stored check: the report (rows are example ids) and whether the dataset changed since. */
export interface DatasetHealth {
  readonly id: number;
  readonly datasetId: number;
  readonly modelPath: string;
  readonly createdAt: string;
  /** The dataset changed (an edit, a re-split) since the check ran: findings may be out of date. */
  readonly stale: boolean;
  readonly report: HealthReport;
}

/** Runs the health check on a dataset's train split (dev: its dev split) and stores the report. */
export async function checkDataset(db: Db, input: CheckDatasetInput, rt: HealthRuntime = {}): Promise<DatasetHealth> {
  const dataset = getDataset(db, input.datasetId);
  const hash = dataSnapshotHash(db, { datasetIds: [input.datasetId] });
  const rows = (split: 'train' | 'dev'): DataRow[] =>
    db
      .prepare<[number, string], { id: number; text: string; label: string | null }>(
        'SELECT id, text, class_label AS label FROM examples WHERE dataset_id = ? AND split = ? ORDER BY line',
      )
      .all(input.datasetId, split)
      .map((r) => ({ row: r.id, text: r.text, ...(r.label !== null && { label: r.label }) }));
  const train = rows('train');
  if (train.length === 0) {
    throw new ServiceError(
      'invalid_input',
      `Dataset "${dataset.name}" has no train examples to check; re-split it so some examples are in train.`,
    );
  }
  const dev = rows('dev');
  const report = await analyseHealth(
    {
      train: { path: `${dataset.name} (train)`, rows: train, unreadableRows: 0 },
      ...(dev.length > 0 && { dev: { path: `${dataset.name} (dev)`, rows: dev, unreadableRows: 0 } }),
      encoderDir: input.modelDir,
      ...(input.runId !== undefined && { classifierDir: runCheckpointDir(db, input.runId) }),
    },
    input,
    rt,
  );
  const stored = insertHealthReport(db, {
    datasetId: input.datasetId,
    dataHash: hash,
    modelPath: input.modelDir,
    report,
  });
  return { ...stored, stale: false, report };
}

/** The dataset's newest stored check, or null when it was never checked. */
export function latestDatasetHealth(db: Db, { datasetId }: DatasetIdInput): DatasetHealth | null {
  getDataset(db, datasetId);
  const stored = latestHealthReport(db, datasetId);
  if (!stored) return null;
  const stale = stored.dataHash !== dataSnapshotHash(db, { datasetIds: [datasetId] });
  return {
    id: stored.id,
    datasetId,
    modelPath: stored.modelPath,
    createdAt: stored.createdAt,
    stale,
    report: stored.report as HealthReport,
  };
}

/**
 * Accepts a finding as one undoable annotation edit: 'relabel' sets the gold class label; 'drop' takes the
 * example out of every split (training and evaluation skip it) and marks it skipped. Undo restores both.
 */
export function acceptFinding(db: Db, input: AcceptFindingInput): { readonly exampleId: number } {
  if (input.action === 'relabel') {
    setClassLabel(db, { exampleId: input.exampleId, label: input.label });
    return { exampleId: input.exampleId };
  }
  const e = getExample(db, input.exampleId);
  recordEdit(db, projectOfExample(db, input.exampleId), 'dropExample', `drop example line ${e.line}`, (rec) =>
    rec.updateExample(input.exampleId, { split: null, status: 'skipped', reviewedAt: null }),
  );
  return { exampleId: input.exampleId };
}
