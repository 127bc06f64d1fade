// Runs repository: what the trainer writes (status, metrics, artifacts) and what the runs UI reads.
import { stmt, type Db } from '../db';
import { ConstraintError, NotFoundError } from '../errors';
import { nowIso, type Artifact, type ArtifactKind, type Metric, type Run, type RunStatus } from '../types';

interface RunRow {
  id: number;
  project_id: number;
  name: string;
  config_json: string;
  preset: string;
  model_path: string;
  data_hash: string;
  device_requested: string;
  device_used: string | null;
  device_reason: string | null;
  status: RunStatus;
  error: string | null;
  owner_pid: number | null;
  timings_json: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    config: JSON.parse(r.config_json) as unknown,
    preset: r.preset,
    modelPath: r.model_path,
    dataHash: r.data_hash,
    deviceRequested: r.device_requested,
    deviceUsed: r.device_used,
    deviceReason: r.device_reason,
    status: r.status,
    error: r.error,
    ownerPid: r.owner_pid,
    timings: JSON.parse(r.timings_json) as Record<string, number>,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

export interface NewRun {
  readonly projectId: number;
  readonly name: string;
  /** The full training config, stored verbatim so the run can be reproduced and diffed. */
  readonly config: unknown;
  readonly preset: string;
  readonly modelPath: string;
  readonly dataHash: string;
  readonly deviceRequested: string;
  /** Process that will drive the run; defaults to this one. Used to detect runs orphaned by a crash. */
  readonly ownerPid?: number;
}

/** Inserts a run in the 'queued' state. */
export function createRun(db: Db, r: NewRun): Run {
  const info = stmt(
    db,
    `INSERT INTO runs (project_id, name, config_json, preset, model_path, data_hash, device_requested, status, owner_pid, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
  ).run(
    r.projectId,
    r.name,
    JSON.stringify(r.config),
    r.preset,
    r.modelPath,
    r.dataHash,
    r.deviceRequested,
    r.ownerPid ?? process.pid,
    nowIso(),
  );
  return getRun(db, Number(info.lastInsertRowid));
}

const TERMINAL: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const ALLOWED: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'failed', 'cancelled', 'interrupted'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  failed: [],
  cancelled: [],
  interrupted: [],
};

/** A status change, with the facts that become known at that moment. */
export interface RunStatusUpdate {
  readonly status: RunStatus;
  /** The execution provider actually used, and why it differs from the request if it does. */
  readonly deviceUsed?: string;
  readonly deviceReason?: string;
  readonly error?: string;
  /** Merged into the stored timings. */
  readonly timings?: Readonly<Record<string, number>>;
}

/** Moves a run to a new status; refuses transitions out of a finished state. */
export function updateRunStatus(db: Db, id: number, u: RunStatusUpdate): Run {
  return db
    .transaction(() => {
      const run = getRun(db, id);
      if (run.status !== u.status && !ALLOWED[run.status].includes(u.status)) {
        throw new ConstraintError(
          `Run ${id} is ${run.status} and cannot become ${u.status}; allowed next states: ${ALLOWED[run.status].join(', ') || 'none (finished)'}.`,
        );
      }
      const now = nowIso();
      const timings = { ...run.timings, ...(u.timings ?? {}) };
      stmt(
        db,
        `UPDATE runs SET status = ?, device_used = ?, device_reason = ?, error = ?, timings_json = ?,
         started_at = ?, ended_at = ? WHERE id = ?`,
      ).run(
        u.status,
        u.deviceUsed ?? run.deviceUsed,
        u.deviceReason ?? run.deviceReason,
        u.error ?? run.error,
        JSON.stringify(timings),
        u.status === 'running' ? (run.startedAt ?? now) : run.startedAt,
        TERMINAL.has(u.status) ? (run.endedAt ?? now) : run.endedAt,
        id,
      );
      return getRun(db, id);
    })
    .immediate();
}

/** Appends many metric points in one transaction. */
export function appendMetrics(db: Db, runId: number, metrics: readonly Metric[]): void {
  const insert = stmt(
    db,
    'INSERT INTO run_metrics (run_id, step, epoch, split, name, value) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    getRun(db, runId);
    for (const m of metrics)
      insert.run(runId, m.step, m.epoch, m.split, m.name, Number.isNaN(m.value) ? null : m.value);
  }).immediate();
}

/** Metric points of a run, optionally one metric name, in step order. */
export function getMetrics(db: Db, runId: number, name?: string): readonly Metric[] {
  const rows = stmt<[number, string | null, string | null], Omit<Metric, 'value'> & { value: number | null }>(
    db,
    'SELECT step, epoch, split, name, value FROM run_metrics WHERE run_id = ? AND (? IS NULL OR name = ?) ORDER BY step, rowid',
  ).all(runId, name ?? null, name ?? null);
  return rows.map((r) => ({ ...r, value: r.value ?? Number.NaN }));
}

/** A project's runs, newest first. */
export function listRuns(db: Db, projectId: number): readonly Run[] {
  return stmt<[number], RunRow>(db, 'SELECT * FROM runs WHERE project_id = ? ORDER BY id DESC')
    .all(projectId)
    .map(toRun);
}

/** One run or NotFoundError. */
export function getRun(db: Db, id: number): Run {
  const row = stmt<[number], RunRow>(db, 'SELECT * FROM runs WHERE id = ?').get(id);
  if (!row) throw new NotFoundError('run', id);
  return toRun(row);
}

export interface NewArtifact {
  readonly runId: number;
  readonly kind: ArtifactKind;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** Records a checkpoint or export written for a run. */
export function addArtifact(db: Db, a: NewArtifact): Artifact {
  getRun(db, a.runId);
  const createdAt = nowIso();
  const info = stmt(
    db,
    'INSERT INTO artifacts (run_id, kind, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(a.runId, a.kind, a.path, a.sha256, a.bytes, createdAt);
  return { id: Number(info.lastInsertRowid), ...a, createdAt };
}

/** Artifacts of a run, oldest first. */
export function listArtifacts(db: Db, runId: number): readonly Artifact[] {
  return stmt<
    [number],
    { id: number; run_id: number; kind: ArtifactKind; path: string; sha256: string; bytes: number; created_at: string }
  >(db, 'SELECT * FROM artifacts WHERE run_id = ? ORDER BY id')
    .all(runId)
    .map((r) => ({
      id: r.id,
      runId: r.run_id,
      kind: r.kind,
      path: r.path,
      sha256: r.sha256,
      bytes: r.bytes,
      createdAt: r.created_at,
    }));
}

/** True when a process with this id exists (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks runs left 'running' (or 'queued') by a process that no longer exists as 'interrupted'; returns their ids. */
export function markOrphanedRunsInterrupted(
  db: Db,
  isAlive: (pid: number) => boolean = processAlive,
): readonly number[] {
  return db
    .transaction(() => {
      const rows = stmt<[], { id: number; owner_pid: number | null }>(
        db,
        `SELECT id, owner_pid FROM runs WHERE status IN ('running', 'queued')`,
      ).all();
      const dead = rows.filter((r) => r.owner_pid === null || (r.owner_pid !== process.pid && !isAlive(r.owner_pid)));
      const mark = stmt(db, `UPDATE runs SET status = 'interrupted', ended_at = ?, error = ? WHERE id = ?`);
      const now = nowIso();
      for (const r of dead) {
        mark.run(
          now,
          `The process that ran it (pid ${r.owner_pid ?? 'unknown'}) ended without finishing the run; resume from its last checkpoint or start it again.`,
          r.id,
        );
      }
      return dead.map((r) => r.id);
    })
    .immediate();
}
