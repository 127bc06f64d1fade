// Schema step for learning curves (issue 15), in its own file like the health step, so parallel schema work
// merges without edits to the same lines. Its version number is assigned where MIGRATIONS lists it.

/**
 * learning_curves + learning_curve_points: a curve is a group of ordinary runs, one per share of the training
 * data. Each share stays a full run (its curves, advice, mistakes and checkpoint on the Runs screen); the curve
 * adds what a run row cannot say: which curve it belongs to, the share and its train size.
 */
// Structurally a Migration (migrations.ts imports this file, so it does not import that type back).
export function learningCurvesMigration(version: number): { version: number; description: string; up: string } {
  return {
    version,
    description: 'learning curves: runs on growing shares of the training data',
    up: `
-- origin 'app': started in the app, settings_json is the training request; 'cli': a curve.json of \`mts curve\`
-- imported, settings_json its options. dev_examples (NULL when unknown) sets the noise floor of the verdict.
CREATE TABLE learning_curves (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  origin         TEXT NOT NULL CHECK (origin IN ('app', 'cli')),
  settings_json  TEXT NOT NULL,
  fractions_json TEXT NOT NULL,
  dev_examples   INTEGER,
  status         TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
  error          TEXT,
  owner_pid      INTEGER,
  created_at     TEXT NOT NULL,
  ended_at       TEXT
);
CREATE INDEX learning_curves_project ON learning_curves(project_id, id);

-- One row per share, written when its run is created; the metrics are the run's best dev values, copied when
-- it ends so the curve reads in one query. run_id is NULL for imported points (their runs are folders on disk).
CREATE TABLE learning_curve_points (
  curve_id       INTEGER NOT NULL REFERENCES learning_curves(id) ON DELETE CASCADE,
  fraction       REAL NOT NULL CHECK (fraction > 0 AND fraction <= 1),
  train_examples INTEGER NOT NULL CHECK (train_examples >= 0),
  run_id         INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  accuracy       REAL,
  ner_f1         REAL,
  PRIMARY KEY (curve_id, fraction)
);
CREATE INDEX learning_curve_points_run ON learning_curve_points(run_id);
`,
  };
}
