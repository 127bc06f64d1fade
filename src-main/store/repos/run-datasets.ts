// Which datasets a run used per task (table run_datasets): recorded when the run is created, kept (with the
// dataset's name) after the dataset is deleted.
import { stmt, type Db } from '../db';
import { nowIso, type RunStatus, type Split } from '../types';

export type RunDataRole = 'classification-train' | 'classification-dev' | 'ner-train' | 'ner-dev';

/** One dataset a run read for one role; `datasetId` null once that dataset was deleted. */
export interface RunDataset {
  readonly runId: number;
  readonly role: RunDataRole;
  readonly datasetId: number | null;
  readonly datasetName: string;
  /** The split read, or null for every example of the dataset. */
  readonly split: Split | null;
  readonly deletedAt: string | null;
}

interface Row {
  run_id: number;
  role: RunDataRole;
  dataset_id: number | null;
  dataset_name: string;
  split: Split | null;
  deleted_at: string | null;
}

const toRunDataset = (r: Row): RunDataset => ({
  runId: r.run_id,
  role: r.role,
  datasetId: r.dataset_id,
  datasetName: r.dataset_name,
  split: r.split,
  deletedAt: r.deleted_at,
});

/** Records what a run reads (call in the transaction that creates the run, or right after). */
export function recordRunDatasets(
  db: Db,
  runId: number,
  rows: readonly { readonly role: RunDataRole; readonly datasetId: number; readonly split: Split | null }[],
): void {
  const insert = stmt(
    db,
    `INSERT OR REPLACE INTO run_datasets (run_id, role, dataset_id, dataset_name, split)
     SELECT ?, ?, id, name, ? FROM datasets WHERE id = ?`,
  );
  for (const r of rows) insert.run(runId, r.role, r.split, r.datasetId);
}

/** The recorded datasets of each run, in role order. */
export function runDatasetsOf(db: Db, runIds: readonly number[]): ReadonlyMap<number, readonly RunDataset[]> {
  const out = new Map<number, RunDataset[]>(runIds.map((id) => [id, []]));
  const rows = stmt<[string], Row>(
    db,
    `SELECT * FROM run_datasets WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, role`,
  ).all(JSON.stringify(runIds));
  for (const r of rows) out.get(r.run_id)?.push(toRunDataset(r));
  return out;
}

/** Runs that read the dataset and have not finished (queued or running), oldest first. */
export function unfinishedRunsUsing(
  db: Db,
  datasetId: number,
): readonly { readonly id: number; readonly name: string; readonly status: RunStatus }[] {
  return stmt<[number], { id: number; name: string; status: RunStatus }>(
    db,
    `SELECT DISTINCT r.id, r.name, r.status FROM runs r JOIN run_datasets rd ON rd.run_id = r.id
     WHERE rd.dataset_id = ? AND r.status IN ('queued', 'running') ORDER BY r.id`,
  ).all(datasetId);
}

/** Marks a dataset's uses as deleted now (call right before deleting it; the foreign key then clears the id). */
export function markDatasetDeleted(db: Db, datasetId: number): number {
  return stmt(db, `UPDATE run_datasets SET deleted_at = ? WHERE dataset_id = ?`).run(nowIso(), datasetId).changes;
}

/** Keeps recorded names current when a dataset is renamed (a deleted dataset keeps its last name). */
export function renameRunDatasets(db: Db, datasetId: number, name: string): void {
  stmt(db, `UPDATE run_datasets SET dataset_name = ? WHERE dataset_id = ?`).run(name, datasetId);
}
