import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiEvent,
  ExportResultInfo,
  NearestInfo,
  PredictionInfo,
  RunComparisonInfo,
  RunCurvesInfo,
  RunDetailInfo,
  RunInfo,
  RunMistakesInfo,
  TrainPlanInfo,
} from '../../../src-preload/contract';
import { writeTinyBert } from '../../engine/model/testing';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';
import { trainEventForwarder } from './methods';
import { projectWithRows } from '../datasets/testing';
import { waitForTraining } from '.';
import { labelledRows } from './testing';

const fixture = testTable();
const events: ApiEvent[] = [];
const dispatch = createDispatcher(fixture.table, { emit: (e) => events.push(e) });
let request: Record<string, unknown>;
const MINILM = path.resolve(import.meta.dirname, '../../../../shared/models/all-MiniLM-L6-v2');
if (!existsSync(MINILM))
  console.warn(`[test] skipping the MiniLM plan: ${MINILM} is missing (the shared models folder).`);

async function ok<T>(method: string, input: unknown): Promise<T> {
  const result = await dispatch(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

beforeAll(async () => {
  const dir = path.join(fixture.deps.dataDir, 'files');
  mkdirSync(dir);
  const { projectId, summary } = await projectWithRows(fixture.db.get(), dir, labelledRows(32), {
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 1 },
  });
  const modelDir = writeTinyBert(path.join(dir, 'base'), { layers: 1, hidden: 16, heads: 2, intermediate: 32 }).dir;
  request = {
    projectId,
    datasetId: summary.datasetId,
    modelDir,
    preset: 'heads-only',
    epochs: 2,
    batchSize: 8,
    maxLength: 32,
    lr: 1e-3,
    device: 'cpu',
    threads: 1,
  };
});
afterAll(() => fixture.cleanup());

describe('train, runs, playground and export over the contract', () => {
  let runId = 0;

  it('plans: counts per class and type, trainable heads only, and refusals for a preset that trains nothing', async () => {
    const plan = await ok<TrainPlanInfo>('train.plan', request);
    expect(plan.refusals).toEqual([]);
    expect(plan.settings).toMatchObject({ preset: 'heads-only', seed: 42, taskWeights: { classification: 1, ner: 1 } });
    expect(plan.counts.train + plan.counts.dev).toBe(32);
    expect(Object.keys(plan.counts.devByClass).sort()).toEqual(['Business', 'Sports']);
    expect(plan.entityTypes.slice().sort()).toEqual(['LOC', 'ORG', 'PER']);
    expect(plan.params?.frozenGroups).toContain('embeddings');
    expect(plan.params?.trainableGroups.every((g) => g.endsWith('head'))).toBe(true);
    const frozen = await ok<TrainPlanInfo>('train.plan', { ...request, preset: 'frozen' });
    expect(frozen.refusals.join(' ')).toMatch(/trains nothing/);
    const missing = await ok<TrainPlanInfo>('train.plan', { ...request, modelDir: '/no/such/model' });
    expect(missing.params).toBeNull();
    expect(missing.refusals.join(' ')).toMatch(/\/no\/such\/model/);
  });

  it.skipIf(!existsSync(MINILM))(
    'plans heads-only on all-MiniLM-L6-v2: 6 x 384 encoder, only the two heads train',
    async () => {
      const plan = await ok<TrainPlanInfo>('train.plan', { ...request, modelDir: MINILM, maxLength: 128 });
      expect(plan.refusals).toEqual([]);
      expect(plan.model).toMatchObject({ layers: 6, hidden: 384 });
      const classes = plan.classLabels.length;
      const tags = 1 + 2 * plan.entityTypes.length; // O plus B-/I- per type
      expect(plan.params?.trainable).toBe(384 * classes + classes + 384 * tags + tags);
      expect(plan.params?.frozenGroups).toEqual(expect.arrayContaining(['embeddings', 'layer 0', 'layer 5']));
    },
  );

  it('starts a training, streams progress and status events, and reports no active run afterwards', async () => {
    events.length = 0;
    const started = await ok<{ run: RunInfo }>('train.start', request);
    runId = started.run.id;
    expect(started.run).toMatchObject({ preset: 'heads-only', deviceRequested: 'cpu', status: 'queued' });
    expect((await ok<{ run: RunInfo | null }>('train.active', {})).run?.id).toBe(runId);
    const outcome = await waitForTraining(fixture.db.get(), { runId });
    expect(outcome.run.status).toBe('completed');
    const progress = events.flatMap((e) => (e.type === 'train.progress' ? [e.progress.type] : []));
    expect(progress[0]).toBe('started');
    expect(progress).toContain('step');
    expect(progress.filter((t) => t === 'eval')).toHaveLength(2);
    expect(progress.at(-1)).toBe('finished');
    const statuses = events.flatMap((e) => (e.type === 'train.status' ? [e.status] : []));
    expect(statuses).toEqual(['running', 'completed']);
    expect((await ok<{ run: RunInfo | null }>('train.active', {})).run).toBeNull();
    const again = await dispatch('train.cancel', { runId });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('lists the run with its best metrics and shows its stored evaluation, curves and comparison', async () => {
    const runs = await ok<RunInfo[]>('runs.list', { projectId: request.projectId });
    expect(runs.map((r) => r.id)).toEqual([runId]);
    const [run] = runs;
    expect(run!.status).toBe('completed');
    expect(run!.deviceUsed).toBe('cpu');
    expect(run!.durationSec).toBeGreaterThan(0);
    expect(run!.best['classification.accuracy']?.value).toBeGreaterThanOrEqual(0);

    // Ids also come as decimal strings (the contract brands them); the method's schema turns them into numbers.
    const detail = await ok<RunDetailInfo>('runs.get', { runId: String(runId) });
    expect(detail.run.id).toBe(runId);
    expect(detail.evaluationNote).toBeNull();
    // The metric that kept the checkpoint, as the trainer resolved `auto` for the heads this run trains.
    expect(detail.evaluation!.metric).toBe(detail.evaluation!.metrics.ner ? 'tasks.mean' : 'classification.accuracy');
    const cls = detail.evaluation!.metrics.classification!;
    const devCount = detail.run.datasetId !== null ? (detail.config as { counts: { dev: number } }).counts.dev : 0;
    expect(cls.confusion.flat().reduce((a, b) => a + b, 0)).toBe(devCount);
    // The run row's best accuracy is the one the stored evaluation reports.
    expect(cls.accuracy).toBeCloseTo(run!.best['classification.accuracy']!.value!, 6);
    expect(detail.artifacts.map((a) => a.kind)).toEqual(['checkpoint']);

    const curves = await ok<RunCurvesInfo>('runs.curves', { runId, names: ['loss'] });
    const train = curves.curves.find((c) => c.split === 'train');
    expect(train?.steps).toEqual([1, 2, 3, 4, 5, 6]);

    const cmp = await ok<RunComparisonInfo>('runs.compare', { runIds: [runId, runId] });
    // The history's best values (one SQL query) are the comparison's (computed from every metric row).
    expect(run!.best).toEqual(cmp.runs[0]!.best);
    expect(Object.keys(run!.best)).toEqual(expect.arrayContaining(['classification.accuracy', 'ner.f1']));
    expect(cmp.configDiff).toEqual([]);
    expect(cmp.sameData).toBe(true);
  });

  it('lists dev mistakes consistent with the stored accuracy', async () => {
    const m = await ok<RunMistakesInfo>('runs.mistakes', { runId });
    const detail = await ok<RunDetailInfo>('runs.get', { runId });
    const acc = detail.evaluation!.metrics.classification!.accuracy;
    expect(m.classificationErrors).toBe(Math.round((1 - acc) * m.devExamples));
    expect(m.dataChanged).toBe(false);
  });

  it('predicts a pasted text and finds its nearest dev examples', async () => {
    const text = 'John Smith won the game in Paris on Sunday.';
    const p = await ok<PredictionInfo>('playground.predict', { runId, text });
    expect(p.classProbs.map((c) => c.label).sort()).toEqual(['Business', 'Sports']);
    expect(p.classProbs.reduce((a, c) => a + c.prob, 0)).toBeCloseTo(1, 5);
    for (const e of p.entities) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(p.tokens[0]).toMatchObject({ token: '[CLS]', special: true });
    const near = await ok<NearestInfo>('playground.nearest', { runId, text, k: 3 });
    expect(near.neighbours).toHaveLength(3);
    expect(near.neighbours[0]!.similarity).toBeGreaterThanOrEqual(near.neighbours[2]!.similarity);
    const empty = await dispatch('playground.predict', { runId, text: '' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('exports the run into a chosen folder with its files and parity result', async () => {
    const folder = path.join(fixture.deps.dataDir, 'exports');
    mkdirSync(folder);
    const r = await ok<ExportResultInfo>('export.run', { runId, folder, name: 'bundle' });
    expect(r.outDir).toBe(path.join(folder, 'bundle'));
    expect(r.files.map((f) => f.name)).toContain('model.onnx');
    for (const f of r.files) expect(existsSync(path.join(r.outDir, f.name))).toBe(true);
    expect(r.worstParity).toBeLessThan(1e-3);
    const clash = await dispatch('export.run', { runId, folder, name: 'bundle' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});

describe('train.resume over the contract', () => {
  it('refuses a completed run in a sentence, and resumes a cancelled one to completion with resumedFromStep', async () => {
    const done = (await ok<RunInfo[]>('runs.list', { projectId: request.projectId })).find(
      (r) => r.status === 'completed',
    );
    const refused = await dispatch('train.resume', { runId: done!.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!refused.ok && refused.error.message).toMatch(/completed, so there is nothing to resume/);

    const started = await ok<{ run: RunInfo }>('train.start', { ...request, gradAccumulation: 2, maxSteps: 4 });
    await ok('train.cancel', { runId: started.run.id });
    const stopped = await waitForTraining(fixture.db.get(), { runId: started.run.id });
    expect(stopped.run.status).toBe('cancelled');
    events.length = 0;
    const resumed = await ok<{ run: RunInfo; plan: TrainPlanInfo }>('train.resume', { runId: started.run.id });
    expect(resumed.run).toMatchObject({ id: started.run.id, status: 'queued', error: null });
    expect(resumed.plan.batch).toMatchObject({ size: 8, accumulation: 2, effective: 16 });
    expect(resumed.plan.settings.gradAccumulation).toBe(2);
    const end = await waitForTraining(fixture.db.get(), { runId: started.run.id });
    expect(end.run.status).toBe('completed');
    expect(end.result!.steps).toBe(4);
    const first = events.find((e) => e.type === 'train.progress');
    expect(first?.type === 'train.progress' && first.progress).toMatchObject({
      type: 'started',
      resumedFromStep: stopped.result!.steps,
    });
    const statuses = events.flatMap((e) => (e.type === 'train.status' ? [e.status] : []));
    expect(statuses).toEqual(['running', 'completed']);
  });
});

describe('trainEventForwarder', () => {
  it('thins step events by time but always forwards the last step, evaluations and status changes', () => {
    const out: ApiEvent[] = [];
    let t = 0;
    const forward = trainEventForwarder(
      (e) => out.push(e),
      () => t,
    );
    const step = (n: number) =>
      forward({
        type: 'train',
        runId: 1,
        event: {
          type: 'step',
          step: n,
          totalSteps: 10,
          epoch: 0,
          losses: { total: 1 },
          lr: 1e-3,
          gradNorm: 1,
          samplesPerSec: 10,
          etaSec: 1,
        },
      });
    for (let n = 1; n <= 10; n++) {
      t = n * 50; // 50 ms apart: only every third or so passes the 150 ms gate
      step(n);
    }
    forward({ type: 'status', runId: 1, status: 'completed' });
    const steps = out.flatMap((e) =>
      e.type === 'train.progress' && e.progress.type === 'step' ? [e.progress.step] : [],
    );
    expect(steps).toEqual([1, 4, 7, 10]);
    expect(out.at(-1)).toEqual({ type: 'train.status', runId: 1, status: 'completed' });
  });

  it('sends a held-back step before the evaluation or status that follows it', () => {
    const out: ApiEvent[] = [];
    let t = 0;
    const forward = trainEventForwarder(
      (e) => out.push(e),
      () => t,
    );
    const step = (n: number) =>
      forward({
        type: 'train',
        runId: 2,
        event: {
          type: 'step',
          step: n,
          totalSteps: 100,
          epoch: 0,
          losses: { total: 1 },
          lr: 1e-3,
          gradNorm: 1,
          samplesPerSec: 10,
          etaSec: 1,
        },
      });
    step(1);
    t = 10;
    step(2);
    t = 20;
    step(3);
    forward({ type: 'train', runId: 2, event: { type: 'eval', step: 3, epoch: 0, metrics: {}, isBest: true } });
    t = 30;
    step(4);
    forward({ type: 'status', runId: 2, status: 'cancelled' });
    const kinds = out.map((e) => {
      if (e.type === 'train.status') return e.status;
      if (e.type !== 'train.progress') return e.type;
      return e.progress.type === 'step' ? `step${e.progress.step}` : e.progress.type;
    });
    expect(kinds).toEqual(['step1', 'step3', 'eval', 'step4', 'cancelled']);
  });
});
