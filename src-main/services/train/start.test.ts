import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getMetrics, listArtifacts } from '../../store/repos/runs';
import { activeRunId } from './active';
import { folderDigest } from './artifacts';
import { TrainingRequest } from './schemas';
import { cancelTraining, runTraining, startTraining, trainerConfig, waitForTraining } from './start';
import { quickRequest, trainFixture, type TrainFixture } from './testing';
import type { TrainingServiceEvent } from './types';

let f: TrainFixture | undefined;
afterEach(() => f?.cleanup());

describe('startTraining', () => {
  it('trains from the store in a worker, streams events and persists status, device, metrics and the best checkpoint', async () => {
    f = await trainFixture();
    const events: TrainingServiceEvent[] = [];
    const outcome = await runTraining(f.db, quickRequest(f, { name: 'tiny' }), { onEvent: (e) => events.push(e) });
    const { run, result } = outcome;
    expect(result!.status).toBe('completed');
    expect(run).toMatchObject({
      status: 'completed',
      name: 'tiny',
      preset: 'full',
      deviceRequested: 'cpu',
      deviceUsed: 'cpu',
    });
    expect(run.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.timings['trainSec']).toBeGreaterThan(0);
    expect((run.config as { trainer: { lr: number } }).trainer.lr).toBe(1e-3);
    // 24 train examples, batch 8, 2 epochs.
    const steps = events.filter((e) => e.type === 'train' && e.event.type === 'step');
    expect(steps).toHaveLength(6);
    expect(events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual([
      'running',
      'completed',
    ]);
    const loss = getMetrics(f.db, run.id, 'loss').filter((m) => m.split === 'train');
    expect(loss.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const acc = getMetrics(f.db, run.id, 'classification.accuracy');
    expect(acc).toHaveLength(2);
    expect(acc.every((m) => m.split === 'dev' && m.value >= 0 && m.value <= 1)).toBe(true);
    expect(getMetrics(f.db, run.id, 'ner.f1:LOC')).toHaveLength(2);
    expect(getMetrics(f.db, run.id, 'classification.f1:Sports')).toHaveLength(2);
    const [ckpt] = listArtifacts(f.db, run.id);
    expect(ckpt).toMatchObject({ kind: 'checkpoint', path: result!.bestCheckpoint });
    expect(existsSync(join(ckpt!.path, 'model.safetensors'))).toBe(true);
    expect(ckpt!.sha256).toBe(folderDigest(ckpt!.path).sha256);
    expect(activeRunId()).toBeNull();
  });

  it('runs one training at a time and cancels within a step', async () => {
    f = await trainFixture();
    const events: TrainingServiceEvent[] = [];
    let cancelled: unknown;
    const started = await startTraining(f.db, quickRequest(f, { epochs: 50 }), {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'train' && e.event.type === 'step' && e.event.step === 2)
          cancelled = cancelTraining(f!.db, { runId: e.runId });
      },
    });
    expect(activeRunId()).toBe(started.run.id);
    await expect(startTraining(f.db, quickRequest(f))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/only one runs at a time/),
    });
    const { run, result } = await waitForTraining(f.db, { runId: started.run.id });
    expect(cancelled).toEqual({ runId: run.id });
    expect(run.status).toBe('cancelled');
    expect(result!.steps).toBeLessThanOrEqual(3);
    expect(() => cancelTraining(f!.db, { runId: run.id })).toThrow(
      expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/is cancelled and not training/) }),
    );
  });

  it('refuses a request with reasons, and records a worker failure as a failed run', async () => {
    f = await trainFixture();
    await expect(startTraining(f.db, quickRequest(f, { preset: 'frozen' }))).rejects.toMatchObject({
      code: 'invalid_input',
      issues: expect.arrayContaining([expect.stringMatching(/trains nothing/)]),
    });
    const failed = await runTraining(f.db, quickRequest(f), {
      workerScript: { path: join(f.dir, 'no-such-worker.mjs'), execArgv: [] },
    });
    expect(failed.run.status).toBe('failed');
    expect(failed.run.error).toMatch(/no-such-worker/);
    expect(activeRunId()).toBeNull();
    // Metrics that cannot be written stop the run instead of training on unrecorded.
    f.db.exec(
      `CREATE TEMP TRIGGER no_metrics BEFORE INSERT ON run_metrics BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END`,
    );
    const unsaved = await runTraining(f.db, quickRequest(f, { epochs: 50 }));
    expect(unsaved.run.status).toBe('failed');
    expect(unsaved.run.error).toMatch(/could not be saved: simulated disk full/);
    expect(unsaved.run.timings['totalSec']).toBeGreaterThan(0);
  });
});

describe('trainerConfig', () => {
  it('passes the checkpoint metric only when one is asked for, so older runs keep identical configs', () => {
    const request = TrainingRequest.parse({ projectId: 1, datasetId: 1, modelDir: '/m' });
    const base = { ...request, lr: 5e-5, epochs: 2 };
    expect(trainerConfig(base)).not.toHaveProperty('selectMetric');
    expect(trainerConfig({ ...base, selectMetric: 'ner.f1' })).toMatchObject({ selectMetric: 'ner.f1' });
  });
});
