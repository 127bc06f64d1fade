// Run-row changes only resuming needs: the status machine in runs.ts ends at a final status, and a resumed
// run goes back to 'queued' with the metric points after its resume point dropped (they are trained again).
import { stmt, type Db } from '../db';
import { ConstraintError } from '../errors';
import type { Run, RunStatus } from '../types';
import { addArtifact, getRun } from './runs';

/**
 * Puts a stopped run back to 'queued' for this process: clears its error and end time, and deletes its metric
 * points after `fromStep` (a crash can leave points the resume state does not include; the resumed run
 * records them again). The status must still be `expected` (it was checked before the data was prepared).
 */
export function reopenRun(db: Db, runId: number, expected: RunStatus, fromStep: number): Run {
  return db
    .transaction(() => {
      const run = getRun(db, runId);
      if (run.status !== expected) {
        throw new ConstraintError(
          `Run ${runId} became ${run.status} while its resume was being prepared; look at it again before resuming.`,
        );
      }
      stmt(db, `UPDATE runs SET status = 'queued', error = NULL, ended_at = NULL, owner_pid = ? WHERE id = ?`).run(
        process.pid,
        runId,
      );
      stmt(db, 'DELETE FROM run_metrics WHERE run_id = ? AND step > ?').run(runId, fromStep);
      return getRun(db, runId);
    })
    .immediate();
}

/** Records the run's best checkpoint, replacing an earlier row for the same folder (a resumed run rewrites it). */
export function recordCheckpoint(
  db: Db,
  runId: number,
  path: string,
  digest: { readonly sha256: string; readonly bytes: number },
): void {
  db.transaction(() => {
    stmt(db, `DELETE FROM artifacts WHERE run_id = ? AND kind = 'checkpoint' AND path = ?`).run(runId, path);
    addArtifact(db, { runId, kind: 'checkpoint', path, ...digest });
  }).immediate();
}
