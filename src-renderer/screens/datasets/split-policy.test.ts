import { describe, expect, it } from 'vitest';
import { DEFAULT_RANDOM, splitPolicy } from './split-policy';

describe('splitPolicy', () => {
  it('maps each choice to the policy the import and re-split send', () => {
    expect(splitPolicy({ kind: 'all', split: 'dev' }, DEFAULT_RANDOM)).toEqual({
      policy: { mode: 'fixed', split: 'dev' },
    });
    expect(splitPolicy({ kind: 'random' }, { train: 7, dev: 3, test: 0, seed: 5 })).toEqual({
      policy: { mode: 'stratified', train: 7, dev: 3, test: 0, seed: 5 },
    });
  });

  it('says what is wrong with unusable ratios or seeds', () => {
    expect(splitPolicy({ kind: 'random' }, { train: 0, dev: 0, test: 0, seed: 1 })).toEqual({
      problem: 'At least one ratio must be above 0.',
    });
    expect(splitPolicy({ kind: 'random' }, { ...DEFAULT_RANDOM, dev: -1 })).toHaveProperty('problem');
    expect(splitPolicy({ kind: 'random' }, { ...DEFAULT_RANDOM, seed: 1.5 })).toEqual({
      problem: 'The seed must be a whole number.',
    });
  });
});
