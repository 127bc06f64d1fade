import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyBert } from '../model/testing';
import type { TrainEvent } from './events';
import { IGNORE } from './example';
import { trainInWorker, TrainingFailedError } from './run-in-worker';
import type { TrainJob } from './worker-protocol';

const examples = Array.from({ length: 40 }, (_, i) => {
  const ids = [2, 20 + (i % 7), i % 2 === 0 ? 7 : 8, 3];
  return { ids, classLabel: i % 2, nerLabels: ids.map((_, t) => (t === 0 || t === 3 ? IGNORE : t === 1 ? 1 : 0)) };
});

function job(dir: string, overrides: Partial<TrainJob> = {}): TrainJob {
  const tiny = writeTinyBert(join(dir, 'base'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 1 });
  return {
    modelDir: tiny.dir,
    train: examples,
    dev: examples.slice(0, 10),
    classLabels: ['a', 'b'],
    nerTags: ['O', 'B-X', 'I-X'],
    config: { freeze: { preset: 'full' }, epochs: 3, batchSize: 8, lr: 1e-3, device: 'cpu', threads: 1 },
    outDir: join(dir, 'run'),
    resume: false,
    ...overrides,
  };
}

describe('trainInWorker', () => {
  it('trains off the main thread and streams events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-worker-'));
    const events: TrainEvent[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const result = await trainInWorker(job(dir), { onEvent: (e) => events.push(e) });
    clearInterval(timer);
    expect(result.status).toBe('completed');
    expect(result.steps).toBe(15);
    expect(events[0]!.type).toBe('started');
    expect(events.at(-1)!.type).toBe('finished');
    // The caller's event loop kept running while the worker trained.
    expect(ticks).toBeGreaterThan(5);
  });

  it('cancels at the next step and reports worker errors as TrainingFailedError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-worker-'));
    const controller = new AbortController();
    const result = await trainInWorker(job(dir), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 2) controller.abort();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(result.steps).toBeLessThan(15);
    const bad = job(mkdtempSync(join(tmpdir(), 'mts-worker-')), { config: { freeze: { preset: 'frozen' } } });
    await expect(trainInWorker(bad)).rejects.toThrow(TrainingFailedError);
  });
});
