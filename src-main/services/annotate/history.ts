// Undo / redo / history over the per-project annotation log.
import type { Db } from '../../store/db';
import { getProject } from '../../store/repos/projects';
import { listHistory, redoNext, undoLast, type LogEntry } from '../../store/repos/annotationLog';
import type { ProjectHistoryInput, UndoInput } from './schemas';

/** What undo/redo did: the entry it replayed, or null when there was nothing to do. */
export interface UndoResult {
  readonly entry: LogEntry | null;
}

/** Reverts the project's latest edit (one labelAllOccurrences counts as one edit). */
export function undo(db: Db, { projectId }: UndoInput): UndoResult {
  getProject(db, projectId);
  return { entry: undoLast(db, projectId) };
}

/** Re-applies the most recently undone edit; a new edit after an undo clears the redo stack. */
export function redo(db: Db, { projectId }: UndoInput): UndoResult {
  getProject(db, projectId);
  return { entry: redoNext(db, projectId) };
}

/** The latest edits, newest first, undone ones flagged (for a history sidebar). */
export function history(db: Db, { projectId, limit }: ProjectHistoryInput): readonly LogEntry[] {
  return listHistory(db, projectId, limit);
}
