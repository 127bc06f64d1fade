// Versioned schema migrations. Append only: never edit a migration that has shipped; add a new one.
import { healthReportsMigration } from './migration-health-reports';
import { learningCurvesMigration } from './migration-learning-curves';
import { projectDeletedMigration } from './migration-project-deleted';

/** One schema step; `up` runs inside a transaction together with the user_version bump. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: string;
}

const v1 = `
CREATE TABLE projects (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);

-- A dataset stays 'importing' until its last batch and split assignment commit; readers list 'ready' only,
-- so a crash mid-import never shows half a dataset, and the import can resume from resume_line.
CREATE TABLE datasets (
  id               INTEGER PRIMARY KEY,
  project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  source_path      TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  format           TEXT NOT NULL,
  mapping_json     TEXT NOT NULL,
  options_json     TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('importing', 'ready')),
  resume_line      INTEGER NOT NULL DEFAULT 0,
  owner_pid        INTEGER, -- process writing an unfinished import; NULL once ready
  rows_read        INTEGER NOT NULL DEFAULT 0,
  examples_count   INTEGER NOT NULL DEFAULT 0,
  skipped_count    INTEGER NOT NULL DEFAULT 0,
  duplicates_count INTEGER NOT NULL DEFAULT 0,
  skipped_json     TEXT NOT NULL DEFAULT '[]',
  duplicates_json  TEXT NOT NULL DEFAULT '[]',
  created_at       TEXT NOT NULL,
  completed_at     TEXT
);
CREATE INDEX datasets_project ON datasets(project_id, status);
CREATE INDEX datasets_sha ON datasets(project_id, sha256);

CREATE TABLE examples (
  id               INTEGER PRIMARY KEY,
  dataset_id       INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  line             INTEGER NOT NULL,
  text             TEXT NOT NULL,
  split            TEXT CHECK (split IN ('train', 'dev', 'test')),
  class_label      TEXT,
  label_source     TEXT CHECK (label_source IN ('silver', 'gold', 'model')),
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reviewed', 'skipped')),
  reviewed_at      TEXT,
  model_label      TEXT,
  model_confidence REAL,
  model_at         TEXT
);
CREATE UNIQUE INDEX examples_dataset_line ON examples(dataset_id, line);
CREATE INDEX examples_dataset_split ON examples(dataset_id, split);
CREATE INDEX examples_dataset_label ON examples(dataset_id, class_label);
CREATE INDEX examples_dataset_status ON examples(dataset_id, status);

-- AUTOINCREMENT so a deleted span's id is never reused: undo re-inserts spans under their old ids.
CREATE TABLE spans (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
  char_start INTEGER NOT NULL CHECK (char_start >= 0),
  char_end   INTEGER NOT NULL,
  type       TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('silver', 'gold', 'model')),
  status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
  confidence REAL,
  labeler    TEXT,
  created_at TEXT NOT NULL,
  CHECK (char_end > char_start)
);
CREATE INDEX spans_example ON spans(example_id, char_start);
CREATE INDEX spans_type ON spans(type, example_id);
CREATE INDEX spans_source_status ON spans(source, status, example_id);

CREATE TABLE runs (
  id               INTEGER PRIMARY KEY,
  project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  config_json      TEXT NOT NULL,
  preset           TEXT NOT NULL,
  model_path       TEXT NOT NULL,
  data_hash        TEXT NOT NULL,
  device_requested TEXT NOT NULL,
  device_used      TEXT,
  device_reason    TEXT,
  status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  error            TEXT,
  owner_pid        INTEGER,
  timings_json     TEXT NOT NULL DEFAULT '{}',
  created_at       TEXT NOT NULL,
  started_at       TEXT,
  ended_at         TEXT
);
CREATE INDEX runs_project ON runs(project_id, id);
CREATE INDEX runs_status ON runs(status);

-- value is NULL for NaN (SQLite stores NaN as NULL).
CREATE TABLE run_metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step   INTEGER NOT NULL,
  epoch  REAL NOT NULL,
  split  TEXT NOT NULL,
  name   TEXT NOT NULL,
  value  REAL
);
CREATE INDEX run_metrics_run ON run_metrics(run_id, name, step);

CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('checkpoint', 'export')),
  path       TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  bytes      INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX artifacts_run ON artifacts(run_id);

-- One row per user edit: the row-level changes it made, so undo/redo can replay them in either direction.
CREATE TABLE annotation_log (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  action       TEXT NOT NULL,
  summary      TEXT NOT NULL,
  changes_json TEXT NOT NULL,
  undone       INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
  created_at   TEXT NOT NULL
);
CREATE INDEX annotation_log_project ON annotation_log(project_id, undone, id);
`;

// Which dataset each run trained and evaluated each task on. dataset_id becomes NULL when the dataset is
// deleted (deleted_at is set just before), while the name stays: the run keeps saying what it used. Numbered
// 3 so that another branch's migration can take 2 (issue 18 added two in parallel); gaps are allowed.
const v3RunDatasets = `
CREATE TABLE run_datasets (
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  role         TEXT NOT NULL CHECK (role IN ('classification-train', 'classification-dev', 'ner-train', 'ner-dev')),
  dataset_id   INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  dataset_name TEXT NOT NULL,
  -- The split read, or NULL for every example of the dataset (a dataset given as the dev source).
  split        TEXT CHECK (split IN ('train', 'dev', 'test')),
  deleted_at   TEXT,
  PRIMARY KEY (run_id, role)
);
CREATE INDEX run_datasets_dataset ON run_datasets(dataset_id);

-- Runs from before: one dataset's train and dev splits for each task the run trained.
INSERT INTO run_datasets (run_id, role, dataset_id, dataset_name, split)
  SELECT r.id, t.role, d.id, d.name, t.split
  FROM runs r
  JOIN datasets d ON d.id = json_extract(r.config_json, '$.datasetId')
  JOIN (SELECT 'classification-train' AS role, 'train' AS split, '$.classLabels' AS labels
        UNION ALL SELECT 'classification-dev', 'dev', '$.classLabels'
        UNION ALL SELECT 'ner-train', 'train', '$.nerTags'
        UNION ALL SELECT 'ner-dev', 'dev', '$.nerTags') t
    ON coalesce(json_array_length(r.config_json, t.labels), 0) > 0;
`;

/** Every schema version in order; the app's schema version is the last one's. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', up: v1 },
  healthReportsMigration(2),
  { version: 3, description: 'run_datasets: the datasets each run used, kept after deletion', up: v3RunDatasets },
  projectDeletedMigration(4),
  // 6, not 5: other branches of the same round may add a step; gaps are allowed.
  learningCurvesMigration(6),
];

/** The schema version this build writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;
