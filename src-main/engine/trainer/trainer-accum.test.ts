import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from './events';
import { tinyTrainerModel, toyData } from './testing';
import { train, type TrainerData } from './trainer';

// 7 planned batches of 16 per epoch: with k = 2 an epoch is 4 optimizer steps, the last one a single batch.
const DATA: TrainerData = toyData(112, 32);
const CONFIG = {
  freeze: { preset: 'full' as const },
  epochs: 2,
  batchSize: 16,
  gradAccumulation: 2,
  lr: 3e-3,
  warmupRatio: 0.25,
  device: 'cpu' as const,
  threads: 1,
  seed: 5,
  dropout: { hidden: 0.1, attention: 0.1, head: 0.1 },
  // Asked for, but lazy updates need k = 1: the run falls back to dense and says so.
  embeddingUpdates: 'lazy' as const,
};

type StepEvent = Extract<TrainEvent, { type: 'step' }>;
const stepsOf = (events: readonly TrainEvent[]): StepEvent[] => events.filter((e): e is StepEvent => e.type === 'step');

describe('train with gradient accumulation', () => {
  it('counts optimizer steps (k batches each, fewer at an epoch end) and resumes mid-epoch to the uninterrupted losses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-accum-'));
    const model = tinyTrainerModel(dir);
    const full: TrainEvent[] = [];
    const result = await train(model, DATA, CONFIG, { outDir: join(dir, 'a'), onEvent: (e) => full.push(e) });
    const started = full.find((e) => e.type === 'started');
    expect(started?.type === 'started' && started.totalSteps).toBe(8);
    const steps = stepsOf(full);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.map((e) => e.epoch)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(result.steps).toBe(8);
    // Warmup is 25 % of 8 optimizer steps: lr 0 at the first step, the peak at the third.
    expect(steps[0]!.lr).toBe(0);
    expect(steps[2]!.lr).toBeCloseTo(3e-3, 9);
    expect(steps.every((e) => e.losses.classification !== undefined && e.losses.ner !== undefined)).toBe(true);
    expect(steps.at(-1)!.losses.total).toBeLessThan(steps[0]!.losses.total);
    const saved = JSON.parse(readFileSync(join(dir, 'a', 'trainer-config.json'), 'utf8')) as {
      gradAccumulation: number;
      embeddingUpdates: string;
    };
    expect(saved.gradAccumulation).toBe(2);
    // Lazy embedding updates need k = 1: this run updated densely, recorded and said so.
    expect(saved.embeddingUpdates).toBe('dense');
    expect(started?.type === 'started' && started.device.notes?.join(' ')).toMatch(/with gradient accumulation/);

    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const cancelled = await train(model, DATA, CONFIG, {
      outDir: join(dir, 'b'),
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 2) controller.abort(); // 4 of the epoch's 7 batches taken
      },
    });
    expect(cancelled.status).toBe('cancelled');
    const resumeInfo = JSON.parse(readFileSync(join(dir, 'b', 'resume', 'state.json'), 'utf8')) as {
      step: number;
      batchInEpoch: number;
    };
    expect(resumeInfo).toMatchObject({ step: 2, batchInEpoch: 4 });
    const rest: TrainEvent[] = [];
    const resumed = await train(model, DATA, CONFIG, {
      outDir: join(dir, 'b'),
      resume: true,
      onEvent: (e) => rest.push(e),
    });
    expect(resumed.status).toBe('completed');
    const losses = (events: readonly TrainEvent[]): number[] => stepsOf(events).map((e) => e.losses.total);
    expect([...losses(part), ...losses(rest)]).toEqual(losses(full));

    // A resume folder of a k = 2 run is refused by a k = 1 run (different configuration).
    await expect(
      train(model, DATA, { ...CONFIG, gradAccumulation: 1 }, { outDir: join(dir, 'b'), resume: true }),
    ).rejects.toThrow(/different configuration/);
  });

  it('refuses gradAccumulation below 1, naming the option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-accum-bad-'));
    await expect(
      train(tinyTrainerModel(dir), DATA, { ...CONFIG, gradAccumulation: 0 }, { outDir: join(dir, 'x') }),
    ).rejects.toThrow(/"gradAccumulation"/);
  });
});
