// Health reports repository: a dataset's health checks, newest last.
import { stmt, type Db } from '../db';
import { nowIso } from '../types';

export interface StoredHealthReport {
  readonly id: number;
  readonly datasetId: number;
  /** The dataset's content hash when the check ran (its version). */
  readonly dataHash: string;
  readonly modelPath: string;
  readonly report: unknown;
  readonly createdAt: string;
}

interface Row {
  id: number;
  dataset_id: number;
  data_hash: string;
  model_path: string;
  report_json: string;
  created_at: string;
}

/** Stores one report; returns it with its id. */
export function insertHealthReport(
  db: Db,
  r: { readonly datasetId: number; readonly dataHash: string; readonly modelPath: string; readonly report: unknown },
): StoredHealthReport {
  const createdAt = nowIso();
  const info = stmt(
    db,
    'INSERT INTO health_reports (dataset_id, data_hash, model_path, report_json, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(r.datasetId, r.dataHash, r.modelPath, JSON.stringify(r.report), createdAt);
  return { id: Number(info.lastInsertRowid), ...r, createdAt };
}

/** The dataset's newest report, or null when it was never checked. */
export function latestHealthReport(db: Db, datasetId: number): StoredHealthReport | null {
  const row = stmt(db, 'SELECT * FROM health_reports WHERE dataset_id = ? ORDER BY id DESC LIMIT 1').get(datasetId) as
    Row | undefined;
  if (!row) return null;
  return {
    id: row.id,
    datasetId: row.dataset_id,
    dataHash: row.data_hash,
    modelPath: row.model_path,
    report: JSON.parse(row.report_json) as unknown,
    createdAt: row.created_at,
  };
}
