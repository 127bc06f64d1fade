// Schema step for dataset health (issue 17), in its own file so parallel schema work merges without edits
// to the same lines. Its version number is assigned where MIGRATIONS lists it (migrations.ts).

/** health_reports: one row per health check of a dataset, with the dataset version it was computed on. */
// Structurally a Migration (migrations.ts imports this file, so it does not import that type back).
export function healthReportsMigration(version: number): { version: number; description: string; up: string } {
  return {
    version,
    description: 'dataset health reports',
    up: `
-- data_hash is the dataset's content hash (texts, splits, labels, spans) when the check ran: a report whose
-- hash differs from the dataset's current one is stale. Findings name examples by id (report_json).
CREATE TABLE health_reports (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  data_hash   TEXT NOT NULL,
  model_path  TEXT NOT NULL,
  report_json TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX health_reports_dataset ON health_reports(dataset_id, id);
`,
  };
}
