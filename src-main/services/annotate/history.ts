// Undo / redo / history over the per-project annotation log.
import type { Db } from '../../store/db';
import { getProject } from '../../store/repos/projects';
import { listHistory, redoNext, undoLast, type LogEntry } from '../../store/repos/annotationLog';
import { guard, parseInput, type Result } from '../errors';
import { ProjectHistoryInput, UndoInput } from './schemas';

/** What undo/redo did: the entry it replayed, or null when there was nothing to do. */
export interface UndoResult {
  readonly entry: LogEntry | null;
}

/** Reverts the project's latest edit (one labelAllOccurrences counts as one edit). */
export function undo(db: Db, input: unknown): Result<UndoResult> {
  return guard(() => {
    const { projectId } = parseInput(UndoInput, input, 'undo input');
    getProject(db, projectId);
    return { entry: undoLast(db, projectId) };
  });
}

/** Re-applies the most recently undone edit; a new edit after an undo clears the redo stack. */
export function redo(db: Db, input: unknown): Result<UndoResult> {
  return guard(() => {
    const { projectId } = parseInput(UndoInput, input, 'redo input');
    getProject(db, projectId);
    return { entry: redoNext(db, projectId) };
  });
}

/** The latest edits, newest first, undone ones flagged (for a history sidebar). */
export function history(db: Db, input: unknown): Result<readonly LogEntry[]> {
  return guard(() => {
    const { projectId, limit } = parseInput(ProjectHistoryInput, input, 'history input');
    return listHistory(db, projectId, limit);
  });
}
