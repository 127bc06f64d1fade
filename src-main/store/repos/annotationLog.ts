// Undo/redo log: every user edit is one transaction plus one log row listing its row-level changes.
import { stmt, type Db } from '../db';
import { ConstraintError, NotFoundError } from '../errors';
import { nowIso, type Span } from '../types';
import { deleteSpan, getSpan, insertSpan, restoreSpan, updateSpan, type NewSpan, type SpanPatch } from './spans';
import { getExample, snapshotFields, updateExample, type ExamplePatch } from './examples';

/** Edits kept per project; older ones can no longer be undone. */
export const MAX_UNDO_DEPTH = 200;

/** One row-level change, with enough data to replay it in either direction. */
export type Change =
  | { readonly kind: 'spanInsert'; readonly span: Span }
  | { readonly kind: 'spanDelete'; readonly span: Span }
  | { readonly kind: 'spanUpdate'; readonly id: number; readonly before: SpanPatch; readonly after: SpanPatch }
  | {
      readonly kind: 'exampleUpdate';
      readonly id: number;
      readonly before: ExamplePatch;
      readonly after: ExamplePatch;
    };

export interface LogEntry {
  readonly id: number;
  readonly projectId: number;
  readonly action: string;
  readonly summary: string;
  readonly changes: number;
  readonly undone: boolean;
  readonly createdAt: string;
}

/** Performs writes and remembers them; handed to the body of `recordEdit`. */
export class EditRecorder {
  readonly changes: Change[] = [];
  constructor(private readonly db: Db) {}

  /** Inserts a span. */
  insertSpan(s: NewSpan): Span {
    const span = insertSpan(this.db, s);
    this.changes.push({ kind: 'spanInsert', span });
    return span;
  }

  /** Deletes a span. */
  deleteSpan(id: number): void {
    const span = getSpan(this.db, id);
    deleteSpan(this.db, id);
    this.changes.push({ kind: 'spanDelete', span });
  }

  /** Updates a span's type, source or status. */
  updateSpan(id: number, after: SpanPatch): void {
    const s = getSpan(this.db, id);
    const before: SpanPatch = {
      ...(after.type !== undefined ? { type: s.type } : {}),
      ...(after.source !== undefined ? { source: s.source } : {}),
      ...(after.status !== undefined ? { status: s.status } : {}),
    };
    updateSpan(this.db, id, after);
    this.changes.push({ kind: 'spanUpdate', id, before, after });
  }

  /** Updates an example's label, status or review time. */
  updateExample(id: number, after: ExamplePatch): void {
    const before = snapshotFields(getExample(this.db, id), after);
    updateExample(this.db, id, after);
    this.changes.push({ kind: 'exampleUpdate', id, before, after });
  }
}

/** Runs `body` and logs its changes as one undoable edit, all in one transaction; clears the redo stack. */
export function recordEdit<T>(
  db: Db,
  projectId: number,
  action: string,
  summary: string,
  body: (r: EditRecorder) => T,
): T {
  return db
    .transaction(() => {
      const rec = new EditRecorder(db);
      const result = body(rec);
      if (rec.changes.length > 0) {
        stmt(db, 'DELETE FROM annotation_log WHERE project_id = ? AND undone = 1').run(projectId);
        stmt(
          db,
          'INSERT INTO annotation_log (project_id, action, summary, changes_json, created_at) VALUES (?, ?, ?, ?, ?)',
        ).run(projectId, action, summary, JSON.stringify(rec.changes), nowIso());
        stmt(
          db,
          `DELETE FROM annotation_log WHERE project_id = ? AND id <= (
           SELECT id FROM annotation_log WHERE project_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        ).run(projectId, projectId, MAX_UNDO_DEPTH);
      }
      return result;
    })
    .immediate();
}

function applyChange(db: Db, c: Change, forward: boolean): void {
  switch (c.kind) {
    case 'spanInsert':
      if (forward) restoreSpan(db, c.span);
      else deleteExisting(db, c.span.id);
      return;
    case 'spanDelete':
      if (forward) deleteExisting(db, c.span.id);
      else restoreSpan(db, c.span);
      return;
    case 'spanUpdate':
      updateSpan(db, c.id, forward ? c.after : c.before);
      return;
    case 'exampleUpdate':
      updateExample(db, c.id, forward ? c.after : c.before);
      return;
  }
}

function deleteExisting(db: Db, spanId: number): void {
  getSpan(db, spanId); // throws NotFoundError if something else removed it since
  deleteSpan(db, spanId);
}

interface LogRow {
  id: number;
  project_id: number;
  action: string;
  summary: string;
  changes_json: string;
  undone: number;
  created_at: string;
}

function toEntry(r: LogRow): LogEntry {
  const changes = JSON.parse(r.changes_json) as Change[];
  return {
    id: r.id,
    projectId: r.project_id,
    action: r.action,
    summary: r.summary,
    changes: changes.length,
    undone: r.undone === 1,
    createdAt: r.created_at,
  };
}

function replay(db: Db, row: LogRow, forward: boolean): LogEntry {
  const changes = JSON.parse(row.changes_json) as Change[];
  const ordered = forward ? changes : [...changes].reverse();
  try {
    for (const c of ordered) applyChange(db, c, forward);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ConstraintError(
        `Cannot ${forward ? 'redo' : 'undo'} "${row.summary}": ${err.message} ` +
          'It was changed outside the edit history since (e.g. by re-running the silver labeler); edit it directly instead.',
        { cause: err },
      );
    }
    throw err;
  }
  stmt(db, 'UPDATE annotation_log SET undone = ? WHERE id = ?').run(forward ? 0 : 1, row.id);
  return { ...toEntry(row), undone: !forward };
}

/** Reverts the project's latest edit; null when there is nothing to undo. */
export function undoLast(db: Db, projectId: number): LogEntry | null {
  return db
    .transaction(() => {
      const row = stmt<[number], LogRow>(
        db,
        'SELECT * FROM annotation_log WHERE project_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1',
      ).get(projectId);
      return row ? replay(db, row, false) : null;
    })
    .immediate();
}

/** Re-applies the project's most recently undone edit; null when there is nothing to redo. */
export function redoNext(db: Db, projectId: number): LogEntry | null {
  return db
    .transaction(() => {
      const row = stmt<[number], LogRow>(
        db,
        'SELECT * FROM annotation_log WHERE project_id = ? AND undone = 1 ORDER BY id ASC LIMIT 1',
      ).get(projectId);
      return row ? replay(db, row, true) : null;
    })
    .immediate();
}

/** The project's edit history, newest first (undone entries included, flagged). */
export function listHistory(db: Db, projectId: number, limit: number): readonly LogEntry[] {
  return stmt<[number, number], LogRow>(
    db,
    'SELECT * FROM annotation_log WHERE project_id = ? ORDER BY id DESC LIMIT ?',
  )
    .all(projectId, limit)
    .map(toEntry);
}
