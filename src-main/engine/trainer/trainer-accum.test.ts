import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initHeads, loadBertEncoder } from '../model';
import { writeTinyBert } from '../model/testing';
import type { TrainEvent } from './events';
import { IGNORE, type TrainExample } from './example';
import { train, type TrainerData, type TrainerModel } from './trainer';

// The class is whether token 7 occurs; tokens 10..14 are entities. Lengths vary, so micro-batches differ in shape.
function makeData(n: number, seed: number): TrainExample[] {
  let s = seed;
  const rand = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % k;
  };
  return Array.from({ length: n }, () => {
    const len = 4 + rand(6);
    const ids = [2, ...Array.from({ length: len }, () => 15 + rand(25)), 3];
    if (rand(2) === 1) ids[1 + rand(len)] = 7;
    ids[1 + rand(len)] = 10 + rand(5);
    const nerLabels = ids.map((id, t) => (t === 0 || t === ids.length - 1 ? IGNORE : id >= 10 && id < 15 ? 1 : 0));
    return { ids, classLabel: ids.includes(7) ? 1 : 0, nerLabels };
  });
}

function tinyModel(dir: string): TrainerModel {
  const tiny = writeTinyBert(join(dir, 'base'), { layers: 2, hidden: 32, heads: 4, intermediate: 64, seed: 3 });
  const { config, params } = loadBertEncoder(tiny.dir);
  return { config, params: new Map([...params, ...initHeads(32, 2, 3, 11)]), tokenizerDir: tiny.dir, padId: 0 };
}

// 7 planned batches of 16 per epoch: with k = 2 an epoch is 4 optimizer steps, the last one a single batch.
const DATA: TrainerData = {
  train: makeData(112, 1),
  dev: makeData(32, 2),
  classLabels: ['no', 'yes'],
  nerTags: ['O', 'B-ENT', 'I-ENT'],
};
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
};

type StepEvent = Extract<TrainEvent, { type: 'step' }>;
const stepsOf = (events: readonly TrainEvent[]): StepEvent[] => events.filter((e): e is StepEvent => e.type === 'step');

describe('train with gradient accumulation', () => {
  it('counts optimizer steps (k batches each, fewer at an epoch end) and resumes mid-epoch to the uninterrupted losses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-accum-'));
    const model = tinyModel(dir);
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
    };
    expect(saved.gradAccumulation).toBe(2);

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
      train(tinyModel(dir), DATA, { ...CONFIG, gradAccumulation: 0 }, { outDir: join(dir, 'x') }),
    ).rejects.toThrow(/"gradAccumulation"/);
  });
});
