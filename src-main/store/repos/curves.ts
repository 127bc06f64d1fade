// Learning curves repository: a curve, its shares (points) and the runs that trained them.
import { stmt, type Db } from '../db';
import { NotFoundError } from '../errors';
import { nowIso } from '../types';
import { processAlive } from './runs';

export type CurveStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export type CurveOrigin = 'app' | 'cli';

/** One share of a curve: its train size, the run that trained it (null when imported) and its best dev metrics. */
export interface StoredCurvePoint {
  readonly fraction: number;
  readonly trainExamples: number;
  readonly runId: number | null;
  readonly accuracy: number | null;
  readonly nerF1: number | null;
}

export interface StoredCurve {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly origin: CurveOrigin;
  readonly settings: unknown;
  readonly fractions: readonly number[];
  readonly devExamples: number | null;
  readonly status: CurveStatus;
  readonly error: string | null;
  readonly ownerPid: number | null;
  readonly createdAt: string;
  readonly endedAt: string | null;
  /** Smallest share first. */
  readonly points: readonly StoredCurvePoint[];
}

interface CurveRow {
  id: number;
  project_id: number;
  name: string;
  origin: CurveOrigin;
  settings_json: string;
  fractions_json: string;
  dev_examples: number | null;
  status: CurveStatus;
  error: string | null;
  owner_pid: number | null;
  created_at: string;
  ended_at: string | null;
}

interface PointRow {
  curve_id: number;
  fraction: number;
  train_examples: number;
  run_id: number | null;
  accuracy: number | null;
  ner_f1: number | null;
}

function toCurve(r: CurveRow, points: readonly PointRow[]): StoredCurve {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    origin: r.origin,
    settings: JSON.parse(r.settings_json) as unknown,
    fractions: JSON.parse(r.fractions_json) as number[],
    devExamples: r.dev_examples,
    status: r.status,
    error: r.error,
    ownerPid: r.owner_pid,
    createdAt: r.created_at,
    endedAt: r.ended_at,
    points: points.map((p) => ({
      fraction: p.fraction,
      trainExamples: p.train_examples,
      runId: p.run_id,
      accuracy: p.accuracy,
      nerF1: p.ner_f1,
    })),
  };
}

export interface NewCurve {
  readonly projectId: number;
  readonly name: string;
  readonly origin: CurveOrigin;
  readonly settings: unknown;
  readonly fractions: readonly number[];
  readonly devExamples: number | null;
  /** 'running' for a curve this process trains now (owned by it); imported curves end as their file says. */
  readonly status: 'running' | 'completed' | 'cancelled' | 'failed';
  /** Why an imported curve failed. */
  readonly error?: string;
}

/** Stores a new curve (without points); returns it. */
export function createCurve(db: Db, c: NewCurve): StoredCurve {
  const now = nowIso();
  const info = stmt(
    db,
    `INSERT INTO learning_curves (project_id, name, origin, settings_json, fractions_json, dev_examples, status,
       error, owner_pid, created_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    c.projectId,
    c.name,
    c.origin,
    JSON.stringify(c.settings),
    JSON.stringify(c.fractions),
    c.devExamples,
    c.status,
    c.error ?? null,
    c.status === 'running' ? process.pid : null,
    now,
    c.status === 'running' ? null : now,
  );
  return getCurve(db, Number(info.lastInsertRowid));
}

/** Adds (or replaces) the point of one share. */
export function putCurvePoint(db: Db, curveId: number, p: StoredCurvePoint): void {
  stmt(
    db,
    `INSERT OR REPLACE INTO learning_curve_points (curve_id, fraction, train_examples, run_id, accuracy, ner_f1)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(curveId, p.fraction, p.trainExamples, p.runId, p.accuracy, p.nerF1);
}

/** Ends a running curve (finished curves do not change). */
export function endCurve(db: Db, curveId: number, status: Exclude<CurveStatus, 'running'>, error: string | null): void {
  stmt(
    db,
    `UPDATE learning_curves SET status = ?, error = ?, ended_at = ?, owner_pid = NULL WHERE id = ? AND status = 'running'`,
  ).run(status, error, nowIso(), curveId);
}

function pointsOf(db: Db, curveIds: readonly number[]): Map<number, PointRow[]> {
  const byCurve = new Map<number, PointRow[]>();
  const q = stmt<[number], PointRow>(db, 'SELECT * FROM learning_curve_points WHERE curve_id = ? ORDER BY fraction');
  for (const id of curveIds) byCurve.set(id, q.all(id));
  return byCurve;
}

/** One curve with its points; NotFoundError when there is none. */
export function getCurve(db: Db, curveId: number): StoredCurve {
  const row = stmt<[number], CurveRow>(db, 'SELECT * FROM learning_curves WHERE id = ?').get(curveId);
  if (!row) throw new NotFoundError('learning curve', curveId);
  return toCurve(row, pointsOf(db, [curveId]).get(curveId) ?? []);
}

/** A project's curves with their points, newest first. */
export function listCurves(db: Db, projectId: number): readonly StoredCurve[] {
  const rows = stmt<[number], CurveRow>(db, 'SELECT * FROM learning_curves WHERE project_id = ? ORDER BY id DESC').all(
    projectId,
  );
  const points = pointsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toCurve(r, points.get(r.id) ?? []));
}

/**
 * Marks curves left 'running' by a process that no longer exists, or by this process when `isMine` says it
 * does not train them, as 'interrupted'; returns their ids.
 */
export function markOrphanedCurvesInterrupted(
  db: Db,
  isMine: (curveId: number) => boolean,
  isAlive: (pid: number) => boolean = processAlive,
): readonly number[] {
  const rows = stmt<[], { id: number; owner_pid: number | null }>(
    db,
    `SELECT id, owner_pid FROM learning_curves WHERE status = 'running'`,
  ).all();
  const dead = rows.filter((r) =>
    r.owner_pid === process.pid ? !isMine(r.id) : r.owner_pid === null || !isAlive(r.owner_pid),
  );
  for (const r of dead)
    endCurve(
      db,
      r.id,
      'interrupted',
      `The process that trained it (pid ${r.owner_pid ?? 'unknown'}) ended before its last share; start the curve again.`,
    );
  return dead.map((r) => r.id);
}
