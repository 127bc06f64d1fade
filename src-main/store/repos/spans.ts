// Spans repository: row-level reads and writes; policies (overlap, undo) live in the annotate service.
import { stmt, type Db } from '../db';
import { NotFoundError } from '../errors';
import { nowIso, type Span, type SpanSource, type SpanStatus } from '../types';

interface SpanRow {
  id: number;
  example_id: number;
  char_start: number;
  char_end: number;
  type: string;
  source: SpanSource;
  status: SpanStatus;
  confidence: number | null;
  labeler: string | null;
  created_at: string;
}

function toSpan(r: SpanRow): Span {
  return {
    id: r.id,
    exampleId: r.example_id,
    start: r.char_start,
    end: r.char_end,
    type: r.type,
    source: r.source,
    status: r.status,
    confidence: r.confidence,
    labeler: r.labeler,
    createdAt: r.created_at,
  };
}

export interface NewSpan {
  readonly exampleId: number;
  readonly start: number;
  readonly end: number;
  readonly type: string;
  readonly source: SpanSource;
  readonly status: SpanStatus;
  readonly confidence?: number | null;
  readonly labeler?: string | null;
}

/** Inserts a span and returns it with its new id. */
export function insertSpan(db: Db, s: NewSpan): Span {
  const createdAt = nowIso();
  const info = stmt(
    db,
    `INSERT INTO spans (example_id, char_start, char_end, type, source, status, confidence, labeler, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.exampleId, s.start, s.end, s.type, s.source, s.status, s.confidence ?? null, s.labeler ?? null, createdAt);
  return getSpan(db, Number(info.lastInsertRowid));
}

/** Re-inserts a span exactly as it was (same id); used by undo/redo. */
export function restoreSpan(db: Db, s: Span): void {
  stmt(
    db,
    `INSERT INTO spans (id, example_id, char_start, char_end, type, source, status, confidence, labeler, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.id, s.exampleId, s.start, s.end, s.type, s.source, s.status, s.confidence, s.labeler, s.createdAt);
}

/** Deletes a span by id. */
export function deleteSpan(db: Db, id: number): void {
  stmt(db, 'DELETE FROM spans WHERE id = ?').run(id);
}

/** Fields of a span an edit may change. */
export interface SpanPatch {
  readonly type?: string;
  readonly source?: SpanSource;
  readonly status?: SpanStatus;
}

/** Updates the given fields of a span. */
export function updateSpan(db: Db, id: number, patch: SpanPatch): void {
  const current = getSpan(db, id);
  stmt(db, 'UPDATE spans SET type = ?, source = ?, status = ? WHERE id = ?').run(
    patch.type ?? current.type,
    patch.source ?? current.source,
    patch.status ?? current.status,
    id,
  );
}

/** One span or NotFoundError. */
export function getSpan(db: Db, id: number): Span {
  const row = stmt<[number], SpanRow>(db, 'SELECT * FROM spans WHERE id = ?').get(id);
  if (!row) throw new NotFoundError('span', id);
  return toSpan(row);
}

/** The spans of one example, in text order. */
export function spansOfExample(db: Db, exampleId: number): readonly Span[] {
  return stmt<[number], SpanRow>(db, 'SELECT * FROM spans WHERE example_id = ? ORDER BY char_start, char_end, id')
    .all(exampleId)
    .map(toSpan);
}

/** The spans of many examples, grouped by example id. */
export function spansOfExamples(db: Db, exampleIds: readonly number[]): ReadonlyMap<number, readonly Span[]> {
  const out = new Map<number, Span[]>();
  for (const id of exampleIds) out.set(id, []);
  // Chunked to stay far below SQLite's bound-parameter limit.
  for (let i = 0; i < exampleIds.length; i += 500) {
    const chunk = exampleIds.slice(i, i + 500);
    const rows = db
      .prepare<number[], SpanRow>(
        `SELECT * FROM spans WHERE example_id IN (${chunk.map(() => '?').join(',')}) ORDER BY example_id, char_start, char_end, id`,
      )
      .all(...chunk);
    for (const r of rows) out.get(r.example_id)?.push(toSpan(r));
  }
  return out;
}
