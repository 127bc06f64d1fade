import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPredictor } from '../../engine/infer';
import { getMetrics } from '../../store/repos/runs';
import { addSpan } from '../annotate';
import { PredictorCache } from '../playground/cache';
import { runCheckpointDir } from './artifacts';
import { compareRuns, runCurves } from './curves';
import { entityMistakes, runMistakes } from './mistakes';
import { trainingPlan } from './plan';
import { runTraining } from './start';
import { quickRequest, trainedFixture, type TrainFixture } from './testing';

let f: TrainFixture & { runId: number };
let second: number;
const cache = new PredictorCache(2);
beforeAll(async () => {
  f = await trainedFixture();
  second = (await runTraining(f.db, quickRequest(f, { lr: 3e-3, preset: 'heads-only', epochs: 1 }))).run.id;
});
afterAll(async () => {
  await cache.clear();
  f.cleanup();
});

describe('runCurves', () => {
  it('groups the stored metrics into one step-ordered series per split and name', () => {
    const c = runCurves(f.db, { runId: f.runId });
    const trainLoss = c.curves.find((s) => s.split === 'train' && s.name === 'loss')!;
    const stored = getMetrics(f.db, f.runId, 'loss').filter((m) => m.split === 'train');
    expect(trainLoss.steps).toEqual(stored.map((m) => m.step));
    expect(trainLoss.values).toEqual(stored.map((m) => m.value));
    const acc = c.curves.find((s) => s.name === 'classification.accuracy')!;
    expect(acc.split).toBe('dev');
    expect(acc.steps).toHaveLength(3);
    const only = runCurves(f.db, { runId: f.runId, names: ['lr'] });
    expect(only.curves.map((s) => s.name)).toEqual(['lr']);
  });
});

describe('compareRuns', () => {
  it('lists only the config fields that differ and the best/last headline values', () => {
    const cmp = compareRuns(f.db, { runIds: [f.runId, second] });
    const paths = cmp.configDiff.map((d) => d.path);
    expect(paths).toContain('config.request.lr');
    expect(paths).toContain('preset');
    expect(paths).toContain('config.trainer.freeze.preset');
    expect(paths).not.toContain('config.request.batchSize');
    expect(cmp.configDiff.find((d) => d.path === 'config.request.lr')!.values).toEqual([1e-3, 3e-3]);
    expect(cmp.sameData).toBe(true);
    const acc = getMetrics(f.db, f.runId, 'classification.accuracy').map((m) => m.value);
    expect(cmp.runs[0]!.best['classification.accuracy']!.value).toBe(Math.max(...acc));
    expect(cmp.runs[0]!.last['dev/classification.accuracy']!.value).toBe(acc.at(-1));
    expect(cmp.runs[1]!.preset).toBe('heads-only');
  });
});

describe('runMistakes', () => {
  it('finds the dev examples the best checkpoint gets wrong, most confident first', async () => {
    const m = await runMistakes(f.db, { runId: f.runId, limit: 200 }, { cache });
    const dev = f.db
      .prepare<[], { text: string; label: string }>(
        `SELECT text, class_label AS label FROM examples WHERE split = 'dev' ORDER BY line`,
      )
      .all();
    expect(m.devExamples).toBe(dev.length);
    const loaded = await loadPredictor(runCheckpointDir(f.db, f.runId));
    const preds = await loaded.predictor.predict(dev.map((d) => d.text));
    await loaded.release();
    const wrong = dev.filter((d, i) => preds[i]!.ok && (preds[i] as { label: string }).label !== d.label);
    expect(m.classificationErrors).toBe(wrong.length);
    const conf = m.classification.map((c) => c.confidence);
    expect([...conf].sort((a, b) => b - a)).toEqual(conf);
    for (const c of m.classification) expect(c.predicted).not.toBe(c.gold);
    expect(m.dataChanged).toBe(false);

    const devId = f.db.prepare<[], { id: number }>(`SELECT id FROM examples WHERE split = 'dev' LIMIT 1`).get()!.id;
    addSpan(f.db, { exampleId: devId, start: 0, end: 2, type: 'LOC' });
    expect((await runMistakes(f.db, { runId: f.runId, limit: 1 }, { cache })).dataChanged).toBe(true);
  });

  it('classifies entity disagreements as missed, spurious or wrong-type', () => {
    const e = {
      id: 7,
      text: 'John Smith met Acme in Paris.',
      spans: [
        { start: 0, end: 10, type: 'PER' },
        { start: 15, end: 19, type: 'ORG' },
        { start: 23, end: 28, type: 'LOC' },
        { start: 0, end: 4, type: 'MISC' },
      ],
    };
    const predicted = [
      { start: 0, end: 4, type: 'PER', text: 'John', confidence: 0.6 }, // overlaps PER John Smith
      { start: 15, end: 19, type: 'LOC', text: 'Acme', confidence: 0.8 }, // wrong type
      { start: 23, end: 28, type: 'LOC', text: 'Paris', confidence: 0.9 }, // right
    ];
    const out = entityMistakes(e, predicted, new Set(['PER', 'ORG', 'LOC']));
    expect(out.map((m) => [m.kind, m.type, m.predictedType, m.confidence])).toEqual([
      ['missed', 'PER', null, 0.6],
      ['wrong-type', 'ORG', 'LOC', 0.8],
      ['spurious', 'PER', 'PER', 0.6],
    ]);
  });
});

describe('continuing from a run', () => {
  it('plans and trains from an earlier run’s best checkpoint, recording it as the model', async () => {
    const modelDir = runCheckpointDir(f.db, f.runId);
    const plan = trainingPlan(f.db, quickRequest(f, { modelDir }));
    expect(plan.refusals).toEqual([]);
    expect(plan.model).toMatchObject({ dir: modelDir, layers: 1, hidden: 16 });
    const { run, result } = await runTraining(f.db, quickRequest(f, { modelDir, epochs: 1 }));
    expect(run).toMatchObject({ status: 'completed', modelPath: modelDir });
    expect(result!.steps).toBe(3);
    // Same labels as the first run: its heads are kept, so a (nearly) zero learning rate predicts as run 1 did.
    const still = await runTraining(f.db, quickRequest(f, { modelDir, epochs: 1, lr: 1e-12 }));
    const texts = ['John Smith won the game in Paris.', 'Shares of Google fell on Monday.'];
    const probs = async (dir: string): Promise<number[]> => {
      const p = await loadPredictor(dir);
      const out = await p.predictor.predict(texts);
      await p.release();
      return out.flatMap((o) => (o.ok ? o.classProbs.map((c) => c.prob) : []));
    };
    const before = await probs(modelDir);
    const after = await probs(runCheckpointDir(f.db, still.run.id));
    expect(after).toHaveLength(4);
    after.forEach((p, i) => expect(p).toBeCloseTo(before[i]!, 5));
  });
});
