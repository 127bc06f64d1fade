// Examples repository: inserts during import, reads with filters, single-row updates for edits.
import { stmt, type Db } from '../db';
import { NotFoundError } from '../errors';
import type { Example, ExampleStatus, Split, SpanSource } from '../types';

export interface ExampleRow {
  id: number;
  dataset_id: number;
  line: number;
  text: string;
  split: Split | null;
  class_label: string | null;
  label_source: SpanSource | null;
  status: ExampleStatus;
  reviewed_at: string | null;
  model_label: string | null;
  model_confidence: number | null;
  model_at: string | null;
}

/** Maps a database row to the public shape. */
export function toExample(r: ExampleRow): Example {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    line: r.line,
    text: r.text,
    split: r.split,
    classLabel: r.class_label,
    labelSource: r.label_source,
    status: r.status,
    reviewedAt: r.reviewed_at,
    modelLabel: r.model_label,
    modelConfidence: r.model_confidence,
    modelAt: r.model_at,
  };
}

/** Inserts one imported example and returns its id. */
export function insertExample(
  db: Db,
  datasetId: number,
  line: number,
  text: string,
  classLabel: string | null,
  split: Split | null,
): number {
  const info = stmt(
    db,
    'INSERT INTO examples (dataset_id, line, text, split, class_label, label_source) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(datasetId, line, text, split, classLabel, classLabel === null ? null : 'gold');
  return Number(info.lastInsertRowid);
}

/** One example or NotFoundError. */
export function getExample(db: Db, id: number): Example {
  const row = stmt<[number], ExampleRow>(db, 'SELECT * FROM examples WHERE id = ?').get(id);
  if (!row) throw new NotFoundError('example', id);
  return toExample(row);
}

/** Fields of an example an edit may change (undo stores the previous values of the same fields). */
export interface ExamplePatch {
  readonly classLabel?: string | null;
  readonly labelSource?: SpanSource | null;
  readonly status?: ExampleStatus;
  readonly reviewedAt?: string | null;
  readonly split?: Split | null;
  // A model's class prediction is patchable too, so a pre-annotation can store it in its one undoable edit
  // and an undo removes it with the spans (a prediction left behind would mark the example "disagrees").
  readonly modelLabel?: string | null;
  readonly modelConfidence?: number | null;
  readonly modelAt?: string | null;
}

const PATCH_COLUMNS: Readonly<Record<keyof ExamplePatch, string>> = {
  classLabel: 'class_label',
  labelSource: 'label_source',
  status: 'status',
  reviewedAt: 'reviewed_at',
  split: 'split',
  modelLabel: 'model_label',
  modelConfidence: 'model_confidence',
  modelAt: 'model_at',
};

/** Updates the given fields of an example. */
export function updateExample(db: Db, id: number, patch: ExamplePatch): void {
  const keys = (Object.keys(patch) as (keyof ExamplePatch)[]).filter((k) => patch[k] !== undefined);
  if (keys.length === 0) return;
  const sets = keys.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ');
  const info = db.prepare(`UPDATE examples SET ${sets} WHERE id = ?`).run(...keys.map((k) => patch[k] ?? null), id);
  if (info.changes === 0) throw new NotFoundError('example', id);
}

/** The subset of an example's fields named by `patch`, as they are now (the "before" of an edit). */
export function snapshotFields(e: Example, patch: ExamplePatch): ExamplePatch {
  const now: Required<ExamplePatch> = {
    classLabel: e.classLabel,
    labelSource: e.labelSource,
    status: e.status,
    reviewedAt: e.reviewedAt,
    split: e.split,
    modelLabel: e.modelLabel,
    modelConfidence: e.modelConfidence,
    modelAt: e.modelAt,
  };
  const out: { -readonly [K in keyof ExamplePatch]: ExamplePatch[K] } = {};
  const copy = <K extends keyof ExamplePatch>(k: K): void => {
    out[k] = now[k];
  };
  for (const k of Object.keys(patch) as (keyof ExamplePatch)[]) copy(k);
  return out;
}

/** Stores a model's class prediction outside the edit history (for batch predictions not meant to be undone). */
export function setModelClass(db: Db, id: number, label: string | null, confidence: number | null, at: string): void {
  stmt(db, 'UPDATE examples SET model_label = ?, model_confidence = ?, model_at = ? WHERE id = ?').run(
    label,
    confidence,
    at,
    id,
  );
}

/** Id, line, class label and text of every example of a dataset, in line order (for splits and dedupe). */
export function datasetExampleKeys(
  db: Db,
  datasetId: number,
): readonly { id: number; line: number; classLabel: string | null; text: string }[] {
  return stmt<[number], { id: number; line: number; class_label: string | null; text: string }>(
    db,
    'SELECT id, line, class_label, text FROM examples WHERE dataset_id = ? ORDER BY line',
  )
    .all(datasetId)
    .map((r) => ({ id: r.id, line: r.line, classLabel: r.class_label, text: r.text }));
}
