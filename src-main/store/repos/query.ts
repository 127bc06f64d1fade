// Filtered, paged example listing and dataset statistics (read-only SQL).
import type { Db } from '../db';
import type { Example, ExampleStatus, Split, SpanSource, SpanStatus } from '../types';
import { toExample, type ExampleRow } from './examples';

/** Which examples to list; every field narrows the set (AND). */
export interface ExampleFilter {
  /** Exactly one of datasetId / projectId; a project covers its ready datasets. */
  readonly datasetId?: number;
  readonly projectId?: number;
  readonly split?: Split;
  readonly classLabel?: string;
  /** Has a non-rejected span of this type. */
  readonly entityType?: string;
  /** Has a non-rejected span from this source. */
  readonly spanSource?: SpanSource;
  readonly status?: ExampleStatus;
  /** Model predictions exist and differ from the labels (class, or the set of non-rejected spans). */
  readonly modelDisagrees?: boolean;
  /** Case-sensitive substring of the text. */
  readonly contains?: string;
}

export type ExampleOrder = 'line' | 'modelConfidence';

// Spans "agree" when start, end and type are equal; rejected spans count on neither side. Pre-annotation
// (services/preannotate) writes a model span equal to a gold/accepted one as its twin, and skips a proposal
// overlapping one differently, so a settled span without a model twin is exactly where the model disagreed.
const UNMATCHED_MODEL_SPAN = `EXISTS (SELECT 1 FROM spans m WHERE m.example_id = e.id AND m.source = 'model' AND m.status != 'rejected'
  AND NOT EXISTS (SELECT 1 FROM spans o WHERE o.example_id = e.id AND o.source != 'model' AND o.status != 'rejected'
    AND o.char_start = m.char_start AND o.char_end = m.char_end AND o.type = m.type))`;
const UNMATCHED_LABEL_SPAN = `EXISTS (SELECT 1 FROM spans o WHERE o.example_id = e.id AND o.source != 'model' AND o.status != 'rejected'
  AND NOT EXISTS (SELECT 1 FROM spans m WHERE m.example_id = e.id AND m.source = 'model' AND m.status != 'rejected'
    AND o.char_start = m.char_start AND o.char_end = m.char_end AND o.type = m.type))`;
const MODEL_DISAGREES = `(e.model_at IS NOT NULL AND (
  (e.model_label IS NOT NULL AND e.class_label IS NOT NULL AND e.model_label != e.class_label)
  OR ${UNMATCHED_MODEL_SPAN} OR ${UNMATCHED_LABEL_SPAN}))`;

function whereClause(f: ExampleFilter): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (f.datasetId !== undefined) {
    parts.push('e.dataset_id = ?');
    params.push(f.datasetId);
  }
  if (f.projectId !== undefined) {
    parts.push(`e.dataset_id IN (SELECT id FROM datasets WHERE project_id = ? AND status = 'ready')`);
    params.push(f.projectId);
  }
  if (f.split !== undefined) {
    parts.push('e.split = ?');
    params.push(f.split);
  }
  if (f.classLabel !== undefined) {
    parts.push('e.class_label = ?');
    params.push(f.classLabel);
  }
  if (f.status !== undefined) {
    parts.push('e.status = ?');
    params.push(f.status);
  }
  if (f.entityType !== undefined) {
    parts.push(`EXISTS (SELECT 1 FROM spans s WHERE s.example_id = e.id AND s.type = ? AND s.status != 'rejected')`);
    params.push(f.entityType);
  }
  if (f.spanSource !== undefined) {
    parts.push(`EXISTS (SELECT 1 FROM spans s WHERE s.example_id = e.id AND s.source = ? AND s.status != 'rejected')`);
    params.push(f.spanSource);
  }
  if (f.modelDisagrees !== undefined) {
    parts.push(f.modelDisagrees ? MODEL_DISAGREES : `NOT ${MODEL_DISAGREES}`);
  }
  if (f.contains !== undefined && f.contains !== '') {
    parts.push('instr(e.text, ?) > 0');
    params.push(f.contains);
  }
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, params };
}

/** One page of examples matching the filter, and the total number that match. */
export function queryExamples(
  db: Db,
  f: ExampleFilter,
  order: ExampleOrder,
  offset: number,
  limit: number,
): { readonly items: readonly Example[]; readonly total: number } {
  const { sql, params } = whereClause(f);
  const total =
    db.prepare<(string | number)[], { n: number }>(`SELECT count(*) AS n FROM examples e ${sql}`).get(...params)?.n ??
    0;
  // Least confident model predictions first (uncertainty sampling); unscored ones last.
  const orderBy =
    order === 'modelConfidence' ? 'e.model_confidence IS NULL, e.model_confidence ASC, e.id' : 'e.dataset_id, e.line';
  const rows = db
    .prepare<(string | number)[], ExampleRow>(`SELECT e.* FROM examples e ${sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
    .all(...params, limit, offset);
  return { items: rows.map(toExample), total };
}

export interface DatasetStats {
  readonly total: number;
  readonly reviewed: number;
  /** Examples per status (pending / reviewed / skipped). */
  readonly byExampleStatus: Readonly<Record<string, number>>;
  /** Examples per class label and split ('' = no label). */
  readonly byClass: Readonly<Record<string, Readonly<Partial<Record<Split | 'none', number>>>>>;
  /** Non-rejected spans per entity type and split. */
  readonly byEntityType: Readonly<Record<string, Readonly<Partial<Record<Split | 'none', number>>>>>;
  /** Spans per source (all statuses). */
  readonly bySpanSource: Readonly<Partial<Record<SpanSource, number>>>;
  /** Spans per status (all sources). */
  readonly bySpanStatus: Readonly<Partial<Record<SpanStatus, number>>>;
  /** Examples whose model predictions disagree with their labels. */
  readonly modelDisagrees: number;
}

function nested(
  rows: readonly { k: string | null; split: string | null; n: number }[],
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    const key = r.k ?? '';
    out[key] ??= {};
    out[key][r.split ?? 'none'] = r.n;
  }
  return out;
}

function flat(rows: readonly { k: string; n: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

/** Counts for the review progress bar and the pre-training summary. */
export function datasetStats(db: Db, f: Pick<ExampleFilter, 'datasetId' | 'projectId'>): DatasetStats {
  const { sql, params } = whereClause(f);
  const q = <R>(s: string): R[] => db.prepare<(string | number)[], R>(s).all(...params);
  const byStatus = flat(
    q<{ k: string; n: number }>(`SELECT e.status AS k, count(*) AS n FROM examples e ${sql} GROUP BY e.status`),
  );
  const byClass = nested(
    q<{ k: string | null; split: string | null; n: number }>(
      `SELECT e.class_label AS k, e.split AS split, count(*) AS n FROM examples e ${sql} GROUP BY e.class_label, e.split`,
    ),
  );
  const spanJoin = `FROM spans s JOIN examples e ON e.id = s.example_id ${sql}`;
  const byType = nested(
    q<{ k: string; split: string | null; n: number }>(
      `SELECT s.type AS k, e.split AS split, count(*) AS n ${spanJoin} ${sql ? 'AND' : 'WHERE'} s.status != 'rejected' GROUP BY s.type, e.split`,
    ),
  );
  const bySource = flat(
    q<{ k: string; n: number }>(`SELECT s.source AS k, count(*) AS n ${spanJoin} GROUP BY s.source`),
  );
  const bySpanStatus = flat(
    q<{ k: string; n: number }>(`SELECT s.status AS k, count(*) AS n ${spanJoin} GROUP BY s.status`),
  );
  const disagrees =
    q<{ n: number }>(`SELECT count(*) AS n FROM examples e ${sql} ${sql ? 'AND' : 'WHERE'} ${MODEL_DISAGREES}`)[0]?.n ??
    0;
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    total,
    reviewed: byStatus.reviewed ?? 0,
    byExampleStatus: byStatus,
    byClass,
    byEntityType: byType,
    bySpanSource: bySource,
    bySpanStatus,
    modelDisagrees: disagrees,
  };
}
