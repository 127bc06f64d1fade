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
});
