import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_VAR_NAMES, loadCheckpoint, readSafetensors } from '../model';
import type { TrainEvent } from './events';
import { IGNORE, trainingFeeds, validateExamples } from './example';
import { tinyTrainerModel, toyData } from './testing';
import { train, type TrainerData } from './trainer';

const DATA: TrainerData = toyData(96, 32);
const BASE = {
  freeze: { preset: 'full' as const },
  epochs: 2,
  batchSize: 16,
  lr: 3e-3,
  warmupRatio: 0.1,
  device: 'cpu' as const,
  threads: 1,
  seed: 5,
  dropout: { hidden: 0, attention: 0, head: 0 },
};
const lossesOf = (events: TrainEvent[]): number[] => events.flatMap((e) => (e.type === 'step' ? [e.losses.total] : []));

describe('uncertainty task weighting in the trainer', () => {
  it('learns a weight per task, keeps it out of best/ and in resume/, and resumes exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-uw-'));
    const model = tinyTrainerModel(dir);
    const config = { ...BASE, taskWeighting: 'uncertainty' as const, taskWeightLr: 0.05 };
    const full: TrainEvent[] = [];
    const result = await train(model, DATA, config, { outDir: join(dir, 'a'), onEvent: (e) => full.push(e) });
    expect(result.status).toBe('completed');
    // Both losses fall below 1 on the toy data, so s = log L < 0 and the learned weights exp(-s) rise above 1.
    expect(result.taskWeights?.classification).toBeGreaterThan(1);
    expect(result.taskWeights?.ner).toBeGreaterThan(1);
    expect(JSON.parse(readFileSync(join(dir, 'a', 'metrics.json'), 'utf8')).taskWeights).toEqual(result.taskWeights);
    const best = loadCheckpoint(result.bestCheckpoint!);
    expect([...best.params.keys()].some((n) => n.startsWith('loss.'))).toBe(false);
    const resumeParams = readSafetensors(join(dir, 'a', 'resume', 'params.safetensors'));
    expect(resumeParams.tensors.has(LOG_VAR_NAMES.classification)).toBe(true);

    const fixed: TrainEvent[] = [];
    await train(model, DATA, BASE, { outDir: join(dir, 'fixed'), onEvent: (e) => fixed.push(e) });
    expect(lossesOf(fixed)[0]).toBeCloseTo(lossesOf(full)[0]!, 5); // s = 0 at the start: the same first loss
    expect(lossesOf(fixed).at(-1)).not.toBeCloseTo(lossesOf(full).at(-1)!, 3);

    const controller = new AbortController();
    const part: TrainEvent[] = [];
    await train(model, DATA, config, {
      outDir: join(dir, 'c'),
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 5) controller.abort();
      },
    });
    const rest: TrainEvent[] = [];
    const resumed = await train(model, DATA, config, {
      outDir: join(dir, 'c'),
      resume: true,
      onEvent: (e) => rest.push(e),
    });
    expect(resumed.status).toBe('completed');
    expect([...lossesOf(part), ...lossesOf(rest)]).toEqual(lossesOf(full));
    expect(resumed.taskWeights).toEqual(result.taskWeights);
  });
});

describe('per-token NER weights', () => {
  it('feeds ner_token_weights (1 where an example has none) and checks them', () => {
    const a = { ids: [2, 20, 21, 3], classLabel: 0, nerLabels: [IGNORE, 1, 0, IGNORE], nerWeights: [1, 0, 0.5, 1] };
    const b = { ids: [2, 22, 3], classLabel: 1, nerLabels: [IGNORE, 0, IGNORE] };
    const feeds = trainingFeeds([a, b], 0, { classification: true, ner: true, nerWeights: true });
    expect([...(feeds['ner_token_weights']!.data as Float32Array)]).toEqual([1, 0, 0.5, 1, 1, 1, 1, 1]);
    expect(trainingFeeds([a], 0, { classification: true, ner: true })['ner_token_weights']).toBeUndefined();
    expect(() => validateExamples([{ ...a, nerWeights: [1, 1] }], 'train', 2, 3, 8)).toThrow(/2 NER weights for 4/);
    expect(() => validateExamples([{ ...a, nerWeights: [1, -1, 1, 1] }], 'train', 2, 3, 8)).toThrow(
      /NER weight -1; expected a finite number >= 0/,
    );
  });

  it('a token of weight 0 teaches nothing: the run equals one where that label is ignored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-nw-'));
    const model = tinyTrainerModel(dir);
    // Zero the weight of every entity token in half the examples, vs writing IGNORE over those labels.
    const zeroed = (i: number, labels: readonly number[]) => i % 2 === 0 && labels.some((l) => l > 0);
    const weighted: TrainerData = {
      ...DATA,
      train: DATA.train.map((e, i) =>
        e.nerLabels && zeroed(i, e.nerLabels) ? { ...e, nerWeights: e.nerLabels.map((l) => (l > 0 ? 0 : 1)) } : e,
      ),
    };
    const ignored: TrainerData = {
      ...DATA,
      train: DATA.train.map((e, i) =>
        e.nerLabels && zeroed(i, e.nerLabels) ? { ...e, nerLabels: e.nerLabels.map((l) => (l > 0 ? IGNORE : l)) } : e,
      ),
    };
    const config = { ...BASE, epochs: 1, nerBatching: 'examples' as const, bucketBatches: 1 };
    const a: TrainEvent[] = [];
    const b: TrainEvent[] = [];
    await train(model, weighted, config, { outDir: join(dir, 'w'), onEvent: (e) => a.push(e) });
    await train(model, ignored, config, { outDir: join(dir, 'i'), onEvent: (e) => b.push(e) });
    const la = lossesOf(a);
    const lb = lossesOf(b);
    expect(la.length).toBe(lb.length);
    la.forEach((v, i) => expect(v).toBeCloseTo(lb[i]!, 4));
    expect(existsSync(join(dir, 'w', 'best'))).toBe(true);
  });
});
