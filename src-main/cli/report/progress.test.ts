import { describe, expect, it } from 'vitest';
import { TrainProgress } from './progress';

describe('TrainProgress', () => {
  it("prints the device's notes under the device line", () => {
    let out = '';
    const progress = new TrainProgress((t) => (out += t), false);
    progress.on({
      type: 'started',
      device: {
        requested: 'dml',
        used: 'dml',
        notUsed: [],
        notes: ['On DirectML the word-embedding table stays frozen.'],
      },
      trainExamples: 10,
      devExamples: 2,
      trainableParams: 1000,
      totalSteps: 5,
      resumedFromStep: 0,
    });
    expect(out.split('\n').slice(0, 2)).toEqual([
      'device: dml',
      'note: On DirectML the word-embedding table stays frozen.',
    ]);
  });

  it('prints the step lines of every run it follows, not only the first (self-training rounds, curve shares)', () => {
    let out = '';
    const progress = new TrainProgress((t) => (out += t), false, 2);
    const device = { requested: 'cpu', used: 'cpu', notUsed: [] };
    const run = (): void => {
      progress.on({
        type: 'started',
        device,
        trainExamples: 8,
        devExamples: 2,
        trainableParams: 10,
        totalSteps: 5,
        resumedFromStep: 0,
      });
      for (let step = 1; step <= 5; step++)
        progress.on({
          type: 'step',
          step,
          epoch: 0,
          totalSteps: 5,
          losses: { total: 1 },
          lr: 1e-3,
          gradNorm: 1,
          samplesPerSec: 10,
          etaSec: 1,
        });
    };
    run();
    run();
    const steps = out.split('\n').filter((l) => l.startsWith('epoch 1 step'));
    expect(steps.map((l) => l.split(' ')[3])).toEqual(['2/5', '4/5', '5/5', '2/5', '4/5', '5/5']);
  });
});
