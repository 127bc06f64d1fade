// Datasets repository: the import lifecycle (importing -> ready) and its counters.
import { stmt, type Db } from '../db';
import { NotFoundError } from '../errors';
import { nowIso, type Dataset, type DatasetStatus, type SkippedRowRecord, type DuplicateRowRecord } from '../types';

/** How many skipped rows (line + reason) a dataset keeps for display. */
export const MAX_SKIPPED_KEPT = 1000;

interface DatasetRow {
  id: number;
  project_id: number;
  name: string;
  source_path: string;
  sha256: string;
  format: string;
  mapping_json: string;
  options_json: string;
  status: DatasetStatus;
  resume_line: number;
  owner_pid: number | null;
  rows_read: number;
  examples_count: number;
  skipped_count: number;
  duplicates_count: number;
  skipped_json: string;
  duplicates_json: string;
  created_at: string;
  completed_at: string | null;
}

function toDataset(r: DatasetRow): Dataset {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    sourcePath: r.source_path,
    sha256: r.sha256,
    format: r.format,
    mapping: JSON.parse(r.mapping_json) as unknown,
    options: JSON.parse(r.options_json) as unknown,
    status: r.status,
    resumeLine: r.resume_line,
    ownerPid: r.owner_pid,
    rowsRead: r.rows_read,
    examples: r.examples_count,
    skipped: r.skipped_count,
    duplicates: r.duplicates_count,
    skippedRows: JSON.parse(r.skipped_json) as SkippedRowRecord[],
    duplicateRows: JSON.parse(r.duplicates_json) as DuplicateRowRecord[],
    createdAt: r.created_at,
    completedAt: r.completed_at,
  };
}

export interface NewDataset {
  readonly projectId: number;
  readonly name: string;
  readonly sourcePath: string;
  readonly sha256: string;
  readonly format: string;
  readonly mappingJson: string;
  readonly optionsJson: string;
}

/** Creates a dataset in the 'importing' state (invisible to listDatasets until marked ready). */
export function insertImportingDataset(db: Db, d: NewDataset): Dataset {
  const info = stmt(
    db,
    `INSERT INTO datasets (project_id, name, source_path, sha256, format, mapping_json, options_json, status, owner_pid, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'importing', ?, ?)`,
  ).run(d.projectId, d.name, d.sourcePath, d.sha256, d.format, d.mappingJson, d.optionsJson, process.pid, nowIso());
  return getDataset(db, Number(info.lastInsertRowid));
}

/** Records that this process now writes an unfinished import (when resuming one a crash left behind). */
export function claimImport(db: Db, datasetId: number): void {
  stmt(db, `UPDATE datasets SET owner_pid = ? WHERE id = ?`).run(process.pid, datasetId);
}

/** An unfinished import of the same file content with the same mapping and options, if any. */
export function findResumableImport(
  db: Db,
  projectId: number,
  sha256: string,
  mappingJson: string,
  optionsJson: string,
): Dataset | null {
  const row = stmt<[number, string, string, string], DatasetRow>(
    db,
    `SELECT * FROM datasets WHERE project_id = ? AND sha256 = ? AND mapping_json = ? AND options_json = ?
       AND status = 'importing' ORDER BY id DESC LIMIT 1`,
  ).get(projectId, sha256, mappingJson, optionsJson);
  return row ? toDataset(row) : null;
}

/** Unfinished imports of a project (left by a crash or a cancelled import). */
export function listIncompleteImports(db: Db, projectId: number): readonly Dataset[] {
  return stmt<[number], DatasetRow>(
    db,
    `SELECT * FROM datasets WHERE project_id = ? AND status = 'importing' ORDER BY id`,
  )
    .all(projectId)
    .map(toDataset);
}

export interface ImportProgress {
  readonly resumeLine: number;
  readonly rowsRead: number;
  readonly examples: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly newSkippedRows: readonly SkippedRowRecord[];
  readonly newDuplicateRows: readonly DuplicateRowRecord[];
}

/** Adds one committed batch's counters (call inside the batch's transaction). */
export function addImportProgress(db: Db, datasetId: number, p: ImportProgress): void {
  const current = getDataset(db, datasetId);
  const kept = [...current.skippedRows, ...p.newSkippedRows].slice(0, MAX_SKIPPED_KEPT);
  const dups = [...current.duplicateRows, ...p.newDuplicateRows].slice(0, MAX_SKIPPED_KEPT);
  stmt(
    db,
    `UPDATE datasets SET resume_line = ?, rows_read = rows_read + ?, examples_count = examples_count + ?,
       skipped_count = skipped_count + ?, duplicates_count = duplicates_count + ?, skipped_json = ?, duplicates_json = ? WHERE id = ?`,
  ).run(
    p.resumeLine,
    p.rowsRead,
    p.examples,
    p.skipped,
    p.duplicates,
    JSON.stringify(kept),
    JSON.stringify(dups),
    datasetId,
  );
}

/** Makes a dataset visible, recording the format the importer detected (call inside the split transaction). */
export function markDatasetReady(db: Db, datasetId: number, detectedFormat: string | null): void {
  stmt(
    db,
    `UPDATE datasets SET status = 'ready', owner_pid = NULL, completed_at = ?, format = coalesce(?, format) WHERE id = ?`,
  ).run(nowIso(), detectedFormat, datasetId);
}

/** One dataset (any status) or NotFoundError. */
export function getDataset(db: Db, id: number): Dataset {
  const row = stmt<[number], DatasetRow>(db, 'SELECT * FROM datasets WHERE id = ?').get(id);
  if (!row) throw new NotFoundError('dataset', id);
  return toDataset(row);
}

/** The project's finished datasets, oldest first. */
export function listDatasets(db: Db, projectId: number): readonly Dataset[] {
  return stmt<[number], DatasetRow>(db, `SELECT * FROM datasets WHERE project_id = ? AND status = 'ready' ORDER BY id`)
    .all(projectId)
    .map(toDataset);
}

/** Deletes a dataset with its examples and spans (cascade). */
export function deleteDataset(db: Db, id: number): void {
  stmt(db, 'DELETE FROM datasets WHERE id = ?').run(id);
}
