import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getMetrics, getRun, listArtifacts } from '../../store/repos/runs';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';
import { activeRunId } from './active';
import { folderDigest } from './artifacts';
import { resumeTraining } from './resume';
import { cancelTraining, runTraining, startTraining, waitForTraining } from './start';
import { quickRequest, trainFixture, type TrainFixture } from './testing';
import type { TrainingServiceEvent } from './types';

let f: TrainFixture | undefined;
afterEach(() => f?.cleanup());

// Every stored point but throughput (wall-clock), in a stable order.
function points(fx: TrainFixture, runId: number): string[] {
  return getMetrics(fx.db, runId)
    .filter((m) => m.name !== 'samplesPerSec')
    .map((m) => `${m.split} ${m.name} ${m.step} ${m.epoch} ${m.value}`)
    .sort();
}

/** Starts or resumes with a listener that cancels the run once it reports `atStep`. */
function cancelAt(
  fx: TrainFixture,
  atStep: number,
  events: TrainingServiceEvent[] = [],
): (e: TrainingServiceEvent) => void {
  return (e) => {
    events.push(e);
    if (e.type === 'train' && e.event.type === 'step' && e.event.step === atStep)
      cancelTraining(fx.db, { runId: e.runId });
  };
}

describe('resumeTraining', () => {
  it('continues a cancelled and then a killed run to the same metrics as an uninterrupted run', async () => {
    f = await trainFixture();
    // 24 train examples, micro-batches of 4, 2 per step: 3 steps per epoch, 12 in all.
    const request = quickRequest(f, { epochs: 4, batchSize: 4, gradAccumulation: 2 });
    const whole = await runTraining(f.db, request);
    expect(whole.result!.steps).toBe(12);

    const first = await startTraining(f.db, request, { onEvent: cancelAt(f, 2) });
    const cancelled = await waitForTraining(f.db, { runId: first.run.id });
    expect(cancelled.run.status).toBe('cancelled');
    const stoppedAt = cancelled.result!.steps;
    expect(stoppedAt).toBeLessThan(12);

    const events: TrainingServiceEvent[] = [];
    const second = await resumeTraining(f.db, { runId: first.run.id }, { onEvent: cancelAt(f, 7, events) });
    expect(second.run).toMatchObject({ id: first.run.id, status: 'queued', error: null, endedAt: null });
    expect(second.outDir).toBe(first.outDir);
    expect(activeRunId()).toBe(first.run.id);
    const again = await waitForTraining(f.db, { runId: first.run.id });
    expect(again.run.status).toBe('cancelled');
    const started = events.find((e) => e.type === 'train' && e.event.type === 'started');
    expect(started?.type === 'train' && started.event.type === 'started' && started.event.resumedFromStep).toBe(
      stoppedAt,
    );
    expect(events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual([
      'running',
      'cancelled',
    ]);

    // The app is killed mid-run: the row still says running, and points past the last save were written.
    f.db.prepare(`UPDATE runs SET status = 'running', ended_at = NULL WHERE id = ?`).run(first.run.id);
    f.db
      .prepare(
        `INSERT INTO run_metrics (run_id, step, epoch, split, name, value) VALUES (?, 999, 3, 'train', 'loss', 1)`,
      )
      .run(first.run.id);
    const last: TrainingServiceEvent[] = [];
    await resumeTraining(f.db, { runId: first.run.id }, { onEvent: (e) => last.push(e) });
    const end = await waitForTraining(f.db, { runId: first.run.id });
    expect(end.run.status).toBe('completed');
    expect(end.result!.steps).toBe(12);
    expect(last.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual([
      'running',
      'completed',
    ]);

    // Same seed, same data: every loss, learning rate, gradient norm and dev metric matches, step for step.
    const expected = points(f, whole.run.id);
    expect(expected.filter((p) => p.startsWith('train loss ')).length).toBe(12);
    expect(points(f, first.run.id)).toEqual(expected);
    expect(end.result!.best).toEqual(whole.result!.best);
    expect(end.result!.history).toEqual(whole.result!.history);
    expect(end.result!.bestCheckpoint).toBe(join(first.outDir, 'best'));
    const ckpts = listArtifacts(f.db, first.run.id).filter((a) => a.kind === 'checkpoint');
    expect(ckpts).toHaveLength(1);
    expect(ckpts[0]!.sha256).toBe(folderDigest(ckpts[0]!.path).sha256);
    expect(activeRunId()).toBeNull();
  });

  it('refuses completed runs, a run training now, a missing run folder or resume state, and changed data', async () => {
    f = await trainFixture();
    const fx = f;
    const code = async (runId: number): Promise<string> => {
      try {
        await resumeTraining(fx.db, { runId });
      } catch (err) {
        const e = err as { code?: string; message: string };
        return `${e.code}: ${e.message}`;
      }
      throw new Error(`run ${runId} resumed`);
    };
    const done = await runTraining(fx.db, quickRequest(fx, { epochs: 1 }));
    expect(await code(done.run.id)).toMatch(/^conflict: Run \d+ completed, so there is nothing to resume/);

    const first = await startTraining(fx.db, quickRequest(fx, { epochs: 50 }), { onEvent: cancelAt(fx, 1) });
    const stopped = (await waitForTraining(fx.db, { runId: first.run.id })).run;
    expect(stopped.status).toBe('cancelled');

    const busy = await startTraining(fx.db, quickRequest(fx, { epochs: 50 }));
    expect(await code(busy.run.id)).toMatch(/^conflict: Run \d+ is training now/);
    expect(await code(stopped.id)).toMatch(/^conflict: .*only one runs at a time/);
    cancelTraining(fx.db, { runId: busy.run.id });
    await waitForTraining(fx.db, { runId: busy.run.id });

    const label = fx.db
      .prepare<[], { id: number; class_label: string }>(
        `SELECT id, class_label FROM examples WHERE split = 'train' LIMIT 1`,
      )
      .get()!;
    fx.db.prepare('UPDATE examples SET class_label = ? WHERE id = ?').run('Business2', label.id);
    expect(await code(stopped.id)).toMatch(
      /^conflict: The dataset of run \d+ changed since the run started.*Start a new run/,
    );
    fx.db.prepare('UPDATE examples SET class_label = ? WHERE id = ?').run(label.class_label, label.id);

    fx.db.prepare(`UPDATE runs SET status = 'running', owner_pid = ? WHERE id = ?`).run(process.ppid, stopped.id);
    expect(await code(stopped.id)).toMatch(/being trained by another process \(pid \d+\)/);
    fx.db.prepare(`UPDATE runs SET status = 'cancelled', owner_pid = ? WHERE id = ?`).run(process.pid, stopped.id);

    renameSync(first.outDir, `${first.outDir}.moved`);
    expect(await code(stopped.id)).toBe(
      `not_found: Run ${stopped.id} cannot be resumed: its run folder ${first.outDir} is missing (moved or deleted). Start a new run with the same settings.`,
    );
    renameSync(`${first.outDir}.moved`, first.outDir);
    rmSync(join(first.outDir, 'resume'), { recursive: true });
    expect(await code(stopped.id)).toMatch(
      new RegExp(
        `^not_found: .*no resume state at ${join(first.outDir, 'resume', 'state.json').replace(/[.]/g, '\\.')}`,
      ),
    );
    // Nothing was changed by the refusals.
    expect(getRun(fx.db, stopped.id)).toMatchObject({ status: 'cancelled' });
    expect(activeRunId()).toBeNull();
    // A malformed run id is refused where requests enter, by the method's schema.
    const app = testTable();
    try {
      const invalid = await createDispatcher(app.table, { emit: () => undefined })('train.resume', { runId: 'x' });
      expect(!invalid.ok && invalid.error.code).toBe('invalid_input');
    } finally {
      app.cleanup();
    }
  });
});
