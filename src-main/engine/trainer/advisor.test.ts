import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviseRun, curvesFromEvents, type AdvisorEval, type AdvisorRecipe, type AdvisorStep } from './advisor';
import type { TrainEvent } from './events';
import { tinyTrainerModel, toyData, toyExamples } from './testing';
import { train, type TrainerData } from './trainer';

const RECIPE: AdvisorRecipe = {
  preset: 'full',
  lr: 5e-5,
  lossWeights: { classification: 1, ner: 1 },
  numClasses: 4,
  devExamples: 1000,
};

// A falling curve from `from` to `to` over n steps (exponential, as training losses fall).
const curve = (n: number, from: number, to: number): number[] =>
  Array.from({ length: n }, (_, i) => from * (to / from) ** (i / (n - 1)));
const steps = (cls: number[] | null, ner: number[] | null): AdvisorStep[] =>
  Array.from({ length: (cls ?? ner)!.length }, (_, i) => ({
    step: i + 1,
    ...(cls && { classification: cls[i]! }),
    ...(ner && { ner: ner[i]! }),
  }));

describe('adviseRun on drawn curves', () => {
  it('says nothing before two evaluations', () => {
    expect(adviseRun(steps(curve(100, 1.4, 0.2), null), [{ step: 100, accuracy: 0.9 }], RECIPE)).toEqual([]);
  });

  it('names a head still at chance while the other learned, with its loss weight', () => {
    const train = steps(curve(100, 1.4, 0.3), curve(100, 1.2, 0.4));
    const starvedEvals: AdvisorEval[] = [
      { step: 50, accuracy: 0.8, nerF1: 0 },
      { step: 100, accuracy: 0.85, nerF1: 0.01 },
    ];
    const lagging = adviseRun(train, starvedEvals, { ...RECIPE, lossWeights: { classification: 1, ner: 0.05 } });
    const lag = lagging.find((a) => a.kind === 'head-lags');
    expect(lag).toMatchObject({ task: 'ner', metrics: { lagging: 0.01, other: 0.85 } });
    expect(lag!.message).toMatch(/NER head lags: its dev entity F1 is 1\.0, at chance.*loss weight is 0\.05 against 1/);
    expect(lagging.some((a) => a.kind === 'not-learning')).toBe(false);
    const both: AdvisorEval[] = starvedEvals.map((e, i) => ({ ...e, nerF1: 0.5 + 0.002 * i }));
    expect(adviseRun(train, both, RECIPE).some((a) => a.kind === 'head-lags')).toBe(false);
  });

  it('names a head that still gains late while the other levelled off', () => {
    const train = steps(curve(150, 1.4, 0.3), curve(150, 1.2, 0.3));
    const evals: AdvisorEval[] = [
      { step: 50, accuracy: 0.86, nerF1: 0.3 },
      { step: 100, accuracy: 0.87, nerF1: 0.45 },
      { step: 150, accuracy: 0.871, nerF1: 0.55 },
    ];
    expect(adviseRun(train, evals, RECIPE).find((a) => a.kind === 'head-lags')).toMatchObject({ task: 'ner' });
    const together = evals.map((e, i) => ({ ...e, accuracy: 0.7 + 0.08 * i }));
    expect(adviseRun(train, together, RECIPE).some((a) => a.kind === 'head-lags')).toBe(false);
  });

  it('calls a rising dev loss under a falling training loss over-fitting, and a falling one not', () => {
    const train = steps(curve(200, 1.4, 0.01), null);
    const rising: AdvisorEval[] = [0.9, 0.6, 0.65, 0.8, 1.0].map((l, i) => ({
      step: 40 * (i + 1),
      accuracy: 0.7 + 0.01 * i,
      classificationLoss: l,
    }));
    const over = adviseRun(train, rising, RECIPE);
    expect(over).toEqual([expect.objectContaining({ kind: 'over-fitting', task: 'classification', bestStep: 80 })]);
    expect(over[0]!.message).toMatch(/over-fitting: its dev loss was lowest at step 80/);
    const falling = rising.map((e, i) => ({ ...e, classificationLoss: 0.9 - 0.1 * i }));
    expect(adviseRun(train, falling, RECIPE).some((a) => a.kind === 'over-fitting')).toBe(false);
  });

  it('does not advise stopping at the dev loss minimum when the dev metric still rose past it', () => {
    const train = steps(curve(200, 1.4, 0.01), null);
    const losses = [0.9, 0.6, 0.65, 0.8, 1.0];
    const evals = (acc: (i: number) => number): AdvisorEval[] =>
      losses.map((l, i) => ({ step: 40 * (i + 1), accuracy: acc(i), classificationLoss: l }));
    const rising = adviseRun(
      train,
      evals((i) => 0.7 + 0.02 * i),
      RECIPE,
    )[0]!;
    expect(rising.message).toMatch(
      /dev accuracy 72\.0 then, 78\.0 now.*still rose after that, so stopping at the dev loss minimum would cost it/,
    );
    expect(rising.message).not.toMatch(/stop earlier/);
    // Within noise (under 3 dev examples' worth of 1000, i.e. 1 point): the usual advice to stop earlier.
    const flat = adviseRun(
      train,
      evals((i) => 0.75 + 0.001 * i),
      RECIPE,
    )[0]!;
    expect(flat).toMatchObject({ kind: 'over-fitting' });
    expect(flat.message).toMatch(/Keep the best checkpoint, stop earlier/);
  });

  it('says a head at chance may be crowded out when the other head learns at an equal or higher weight', () => {
    const train = steps(curve(100, 1.39, 1.35), curve(100, 1.2, 0.4));
    const evals: AdvisorEval[] = [
      { step: 50, accuracy: 0.25, nerF1: 0.05 },
      { step: 100, accuracy: 0.26, nerF1: 0.12 },
    ];
    const stuck = adviseRun(train, evals, RECIPE).find((a) => a.kind === 'not-learning')!;
    expect(stuck.task).toBe('classification');
    expect(stuck.message).toMatch(/NER head is learning: its loss \(weight 1 against 1\) may crowd this head out/);
    const alone = adviseRun(
      steps(curve(100, 1.39, 1.35), null),
      evals.map(({ step, accuracy }) => ({ step, accuracy })),
      RECIPE,
    );
    expect(alone.find((a) => a.kind === 'not-learning')!.message).not.toMatch(/crowd/);
    const lighter = adviseRun(train, evals, { ...RECIPE, lossWeights: { classification: 1, ner: 0.5 } });
    expect(lighter.find((a) => a.kind === 'not-learning')!.message).not.toMatch(/crowd/);
  });

  it('sees a head stuck at chance and, for heads-only at a full-model rate, names the learning rate', () => {
    const flat = steps(curve(60, 1.39, 1.3), null);
    const evals: AdvisorEval[] = [
      { step: 30, accuracy: 0.25 },
      { step: 60, accuracy: 0.27 },
    ];
    const advice = adviseRun(flat, evals, { ...RECIPE, preset: 'heads-only' });
    expect(advice).toEqual([expect.objectContaining({ kind: 'not-learning', task: 'classification' })]);
    expect(advice[0]!.message).toMatch(/try 1e-3 to 3e-3/);
    const learnt = evals.map((e, i) => ({ ...e, accuracy: 0.6 + 0.1 * i }));
    const learning = adviseRun(steps(curve(60, 1.39, 0.4), null), learnt, { ...RECIPE, preset: 'heads-only' });
    expect(learning.some((a) => a.kind === 'not-learning')).toBe(false);
  });

  it('says a head still improving at the end would gain from more epochs', () => {
    const evals: AdvisorEval[] = [
      { step: 50, nerF1: 0.6, nerLoss: 0.4 },
      { step: 100, nerF1: 0.7, nerLoss: 0.3 },
    ];
    const advice = adviseRun(steps(null, curve(100, 1.2, 0.2)), evals, RECIPE);
    expect(advice).toEqual([expect.objectContaining({ kind: 'still-improving', task: 'ner', gainPoints: 10 })]);
    const plateau = evals.map((e, i) => ({ ...e, nerF1: 0.7 + 0.001 * i }));
    expect(adviseRun(steps(null, curve(100, 1.2, 0.2)), plateau, RECIPE)).toEqual([]);
  });
});

// Real runs of the tiny BERT on the toy task (trainer/testing): the advisor must read what training did.
describe('adviseRun on real training runs', () => {
  const base = {
    freeze: { preset: 'full' as const },
    batchSize: 8,
    lr: 3e-3,
    warmupRatio: 0.1,
    device: 'cpu' as const,
    threads: 1,
    seed: 5,
    dropout: { hidden: 0, attention: 0, head: 0 },
  };
  async function run(data: TrainerData, config: Record<string, unknown>): Promise<TrainEvent[]> {
    const dir = mkdtempSync(join(tmpdir(), 'mts-advisor-'));
    const events: TrainEvent[] = [];
    await train(
      tinyTrainerModel(dir),
      data,
      { ...base, ...config },
      {
        outDir: join(dir, 'run'),
        onEvent: (e) => events.push(e),
      },
    );
    return events;
  }
  const advise = (events: TrainEvent[], lossWeights = { classification: 1, ner: 1 }) => {
    const { steps, evals } = curvesFromEvents(events);
    return adviseRun(steps, evals, { preset: 'full', lr: 3e-3, lossWeights, numClasses: 2, devExamples: 32 });
  };

  it('names the NER head as lagging when its loss weight starves it (and not at equal weights)', async () => {
    const data = toyData(96, 32);
    const starved = { classification: 1, ner: 0.05 };
    const lag = advise(await run(data, { epochs: 12, lossWeights: starved }), starved);
    expect(lag.find((a) => a.kind === 'head-lags')).toMatchObject({ task: 'ner' });
    const equal = advise(await run(data, { epochs: 12 }));
    expect(equal.some((a) => a.kind === 'head-lags')).toBe(false);
  }, 120_000);

  it('says a tiny train set with noisy labels trained for many epochs over-fits (and a sound run does not)', async () => {
    // 24 examples, a third of their classes flipped: the model can only memorise them.
    const noisy = toyExamples(24, 1).map((e, i) => (i % 3 === 0 ? { ...e, classLabel: 1 - e.classLabel } : e));
    const strip = (xs: typeof noisy) => xs.map(({ ids, classLabel }) => ({ ids, classLabel }));
    const over = advise(
      await run(
        {
          train: strip(noisy),
          dev: strip(toyExamples(48, 2)),
          classLabels: ['no', 'yes'],
          nerTags: ['O', 'B-ENT', 'I-ENT'],
        },
        { epochs: 30, batchSize: 8 },
      ),
    );
    expect(over.find((a) => a.kind === 'over-fitting')).toMatchObject({ task: 'classification' });
    const sound = advise(await run(toyData(96, 32), { epochs: 4 }));
    expect(sound.some((a) => a.kind === 'over-fitting')).toBe(false);
  }, 180_000);
});
