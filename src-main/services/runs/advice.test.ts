import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import type { Metric } from '../../store/types';
import { createProject } from '../projects';
import { runAdvice } from './advice';
import { appendMetrics, createRun, getRun } from './index';

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.cleanup());

// A stored run as services/train writes it: trainer config, class labels and plan counts.
function storedRun(preset: string, lr: number) {
  const projectId = createProject(t.db, { name: 'advice', description: '' }).id;
  return createRun(t.db, {
    projectId,
    name: 'run',
    config: { trainer: { lr }, classLabels: ['a', 'b', 'c', 'd'], counts: { train: 400, dev: 400 } },
    preset,
    modelPath: '/models/m',
    dataHash: 'a'.repeat(64),
    deviceRequested: 'cpu',
  });
}

const trainLosses = (n: number, from: number, to: number): Metric[] =>
  Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    epoch: i / n,
    split: 'train',
    name: 'loss.classification',
    value: from * (to / from) ** (i / (n - 1)),
  }));
const dev = (step: number, accuracy: number, loss: number): Metric[] => [
  { step, epoch: step / 100, split: 'dev', name: 'classification.accuracy', value: accuracy },
  { step, epoch: step / 100, split: 'dev', name: 'loss.classification', value: loss },
  { step, epoch: step / 100, split: 'dev', name: 'loss', value: loss },
];

describe('runAdvice', () => {
  it('reads over-fitting from the stored curves of a run', () => {
    const run = storedRun('full', 5e-5);
    appendMetrics(t.db, { runId: run.id, metrics: trainLosses(200, 1.4, 0.01) });
    for (const [i, loss] of [0.9, 0.6, 0.7, 0.85, 1.0].entries())
      appendMetrics(t.db, { runId: run.id, metrics: dev(40 * (i + 1), 0.8, loss) });
    const advice = runAdvice(t.db, getRun(t.db, { runId: run.id }).run);
    expect(advice).toEqual([expect.objectContaining({ kind: 'over-fitting', task: 'classification', bestStep: 80 })]);
  });

  it('names the learning rate of a heads-only run stuck at chance, and says nothing before two evaluations', () => {
    const run = storedRun('heads-only', 5e-5);
    appendMetrics(t.db, { runId: run.id, metrics: trainLosses(60, 1.39, 1.35) });
    appendMetrics(t.db, { runId: run.id, metrics: dev(30, 0.25, 1.38) });
    expect(runAdvice(t.db, getRun(t.db, { runId: run.id }).run)).toEqual([]);
    appendMetrics(t.db, { runId: run.id, metrics: dev(60, 0.26, 1.37) });
    const advice = runAdvice(t.db, getRun(t.db, { runId: run.id }).run);
    expect(advice).toEqual([expect.objectContaining({ kind: 'not-learning', task: 'classification' })]);
    expect(advice[0]!.message).toMatch(/higher learning rate than 0\.00005: try 1e-3 to 3e-3/);
  });
});
