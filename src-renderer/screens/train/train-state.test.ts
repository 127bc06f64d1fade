import { describe, expect, it } from 'vitest';
import type {
  Api,
  ApiEvent,
  DatasetId,
  InputOf,
  MethodName,
  OutputOf,
  ProjectId,
  Result,
  RunId,
  RunInfo,
  TrainPlanInfo,
} from '../../../src-preload/contract';
import { selection } from '../runs/selection.svelte';
import { LiveRun } from './live-run.svelte';
import { DEFAULT_FORM, TrainState } from './train-state.svelte';
import { taskSourceChoice } from './task-sources.svelte';

type Handlers = { [M in MethodName]?: (input: InputOf<M>) => Promise<Result<OutputOf<M>>> };

/** An Api whose methods are the given handlers; anything else fails like an unknown method. */
function fakeApi(handlers: Handlers): Api & { emit(e: ApiEvent): void } {
  const listeners = new Set<(e: ApiEvent) => void>();
  return {
    invoke<M extends MethodName>(method: M, input: InputOf<M>): Promise<Result<OutputOf<M>>> {
      const h = handlers[method] as ((i: InputOf<M>) => Promise<Result<OutputOf<M>>>) | undefined;
      if (!h) return Promise.resolve({ ok: false, error: { code: 'unknown_method', message: method } });
      return h(input);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
}

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const RUN = 7 as RunId;
const run: RunInfo = {
  id: RUN,
  projectId: 1 as ProjectId,
  datasetId: 2 as DatasetId,
  name: 'heads-only tiny',
  preset: 'heads-only',
  modelPath: '/models/tiny',
  dataHash: 'a'.repeat(64),
  deviceRequested: 'auto',
  deviceUsed: null,
  deviceReason: null,
  status: 'queued',
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  endedAt: null,
  durationSec: null,
  best: {},
};

const source = (split: 'train' | 'dev', examples: number) => ({
  datasetId: 2 as DatasetId,
  datasetName: 'news',
  split,
  examples,
});

function plan(maxPositions: number): TrainPlanInfo {
  return {
    settings: {
      ...DEFAULT_FORM,
      lr: 5e-5,
      epochs: 10,
      projectId: 1 as ProjectId,
      datasetId: 2 as DatasetId,
      modelDir: '/models/tiny',
      taskWeights: { classification: 1, ner: 1 },
      maxSteps: 0,
      evalEverySteps: 0,
    },
    model: { dir: '/models/tiny', layers: 2, hidden: 32, maxPositions },
    tasks: { classification: true, ner: false },
    sources: {
      classification: { train: source('train', 3), dev: source('dev', 1) },
      ner: { train: source('train', 3), dev: source('dev', 1) },
    },
    classLabels: ['a', 'b'],
    entityTypes: [],
    params: { trainable: 10, frozen: 90, trainableGroups: ['classification head'], frozenGroups: ['embeddings'] },
    counts: { train: 3, dev: 1, trainByClass: {}, devByClass: {}, trainByType: {}, devByType: {} },
    batch: { size: 32, accumulation: 1, effective: 32, text: '32 examples per step' },
    recipe: {
      preset: 'full',
      lr: 5e-5,
      epochs: 10,
      lrFromPreset: true,
      epochsFromPreset: true,
      stepsPerEpoch: 1,
      totalSteps: 10,
      recipe: { lr: 5e-5, steps: 100, minSteps: 50, why: 'the encoder trains' },
      warning: null,
    },
    featureCache: null,
    selectMetric: 'classification.accuracy',
    autoSelectMetric: 'classification.accuracy',
    refusals: [],
    warnings: [],
  };
}

function choose(): void {
  selection.projectId = 1 as ProjectId;
  selection.datasetId = 2 as DatasetId;
  selection.modelDir = '/models/tiny';
}

describe('TrainState', () => {
  it('sends the per-task sources chosen on the screen, and none that equal the main dataset', () => {
    choose();
    const model = new TrainState(fakeApi({}));
    taskSourceChoice.nerDatasetId = 5 as DatasetId;
    taskSourceChoice.devDatasetId = 6 as DatasetId;
    taskSourceChoice.nerDevDatasetId = 7 as DatasetId;
    expect(model.request()).toMatchObject({ datasetId: 2, nerDatasetId: 5, devDatasetId: 6, nerDevDatasetId: 7 });
    // NER "from" the main dataset is the default: no nerDatasetId, and its own dev choice goes with it.
    taskSourceChoice.nerDatasetId = 2 as DatasetId;
    const same = model.request()!;
    expect([same.nerDatasetId, same.nerDevDatasetId, same.devDatasetId]).toEqual([undefined, undefined, 6]);
    taskSourceChoice.keepOnly([]);
    expect(model.request()).not.toHaveProperty('devDatasetId');
  });

  it('asks for no plan until a dataset and a model folder are chosen', () => {
    selection.modelDir = '';
    expect(new TrainState(fakeApi({})).request()).toBeNull();
    choose();
    expect(new TrainState(fakeApi({})).request()).toMatchObject({ modelDir: '/models/tiny', preset: 'full' });
  });

  it("leaves the learning rate and epochs to the preset's recipe, and a new preset drops typed ones", () => {
    choose();
    const model = new TrainState(fakeApi({}));
    expect(model.request()).not.toHaveProperty('lr');
    expect(model.request()).not.toHaveProperty('epochs');
    model.form.lr = 3e-5;
    model.form.epochs = 4;
    expect(model.request()).toMatchObject({ preset: 'full', lr: 3e-5, epochs: 4 });
    model.selectPreset('full'); // the same preset keeps what was typed
    expect(model.request()).toMatchObject({ lr: 3e-5, epochs: 4 });
    model.selectPreset('heads-only');
    expect(model.form).toMatchObject({ preset: 'heads-only', lr: null, epochs: null });
    expect(model.request()).not.toHaveProperty('lr');
    expect(model.request()).not.toHaveProperty('epochs');
  });

  it('sends the gradient accumulation with the request (default 1)', () => {
    choose();
    const model = new TrainState(fakeApi({}));
    expect(model.request()?.gradAccumulation).toBe(1);
    model.form.gradAccumulation = 4;
    expect(model.request()).toMatchObject({ batchSize: 32, gradAccumulation: 4 });
  });

  it('sends the word-embedding update choice (default lazy)', () => {
    choose();
    const model = new TrainState(fakeApi({}));
    expect(model.request()?.embeddingUpdates).toBe('lazy');
    model.form.embeddingUpdates = 'dense';
    expect(model.request()).toMatchObject({ embeddingUpdates: 'dense' });
  });

  it('sends the feature-cache choice (default auto) and keeps the messages a run sends', () => {
    choose();
    const model = new TrainState(fakeApi({}));
    expect(model.request()?.featureCache).toBe('auto');
    model.form.featureCache = 'off';
    expect(model.request()).toMatchObject({ featureCache: 'off' });
    const live = new LiveRun(run);
    live.onProgress({ type: 'message', level: 'warning', message: 'not enough disk for the feature cache' });
    live.onProgress({ type: 'message', level: 'info', message: 'frozen encoder: computed its features once' });
    expect(live.messages.map((m) => m.level)).toEqual(['warning', 'info']);
  });

  it('sends the task weighting and the silver confidence threshold (default fixed, 0)', () => {
    choose();
    const model = new TrainState(fakeApi({}));
    expect(model.request()).toMatchObject({ taskWeighting: 'fixed', silverMinConfidence: 0 });
    model.form.taskWeighting = 'uncertainty';
    model.form.silverMinConfidence = 0.6;
    expect(model.request()).toMatchObject({ taskWeighting: 'uncertainty', silverMinConfidence: 0.6 });
  });

  it('sends the checkpoint selection metric (default auto)', () => {
    choose();
    const model = new TrainState(fakeApi({}));
    expect(model.request()?.selectMetric).toBe('auto');
    model.form.selectMetric = 'ner.f1';
    expect(model.request()).toMatchObject({ selectMetric: 'ner.f1' });
  });

  it('keeps the newest plan when answers arrive out of order', async () => {
    choose();
    const answers: ((r: Result<TrainPlanInfo>) => void)[] = [];
    const api = fakeApi({ 'train.plan': () => new Promise((resolve) => answers.push(resolve)) });
    const model = new TrainState(api);
    const first = model.refreshPlan();
    const second = model.refreshPlan();
    answers[1]!({ ok: true, value: plan(512) });
    answers[0]!({ ok: true, value: plan(64) });
    await Promise.all([first, second]);
    expect(model.plan?.model?.maxPositions).toBe(512);
    expect(model.planning).toBe(false);
  });

  it('lowers the default max length to what the model holds, but not a length the person chose', async () => {
    choose();
    const model = new TrainState(fakeApi({ 'train.plan': () => ok(plan(64)) }));
    await model.refreshPlan();
    expect(model.form.maxLength).toBe(64);
    const chosen = new TrainState(fakeApi({ 'train.plan': () => ok(plan(64)) }));
    chosen.form.maxLength = 100;
    await chosen.refreshPlan();
    expect(chosen.form.maxLength).toBe(100);
  });

  it('replays the events that arrive before train.start answers to the new live run', async () => {
    choose();
    const api = fakeApi({
      'train.start': async () => {
        // The worker can start (and the socket deliver its events) before the HTTP answer arrives.
        api.emit({ type: 'train.status', runId: RUN, status: 'running' });
        api.emit({
          type: 'train.progress',
          runId: RUN,
          progress: {
            type: 'step',
            step: 1,
            totalSteps: 4,
            epoch: 0,
            losses: { total: 2, classification: 2 },
            lr: 1e-3,
            gradNorm: 1,
            samplesPerSec: 50,
            etaSec: 3,
          },
        });
        return { ok: true, value: { run, plan: plan(512), truncated: 0 } };
      },
      // Once the run ends the screen reloads the stored curves, which hold every step.
      'runs.curves': () =>
        ok({
          runId: RUN,
          status: 'completed',
          curves: [{ split: 'train', name: 'loss', steps: [1, 2, 3, 4], values: [2, 1.9, 1.8, 1.7] }],
        }),
    });
    const model = new TrainState(api);
    const stop = api.onEvent(model.onEvent);
    await model.start();
    const live = model.live!;
    expect(live.runId).toBe(RUN);
    expect(live.status).toBe('running');
    expect(live.series.steps).toEqual([1]);
    expect(live.series.clsLoss).toEqual([2]);
    api.emit({ type: 'train.status', runId: 99 as RunId, status: 'failed' });
    expect(live.status).toBe('running');
    api.emit({ type: 'train.status', runId: RUN, status: 'completed' });
    expect(live.active).toBe(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(live.series.steps).toEqual([1, 2, 3, 4]);
    expect(live.series.loss).toEqual([2, 1.9, 1.8, 1.7]);
    stop();
  });

  it('shows a refused start as the error and keeps no live run', async () => {
    choose();
    const model = new TrainState(
      fakeApi({
        'train.start': () =>
          Promise.resolve({
            ok: false,
            error: { code: 'invalid_input', message: 'The run cannot start:\n- nothing to learn' },
          }),
      }),
    );
    await model.start();
    expect(model.live).toBeNull();
    expect(model.error?.message).toMatch(/nothing to learn/);
    expect(model.starting).toBe(false);
  });

  it('resumes a stopped run: a new live run that keeps the stored steps and follows the new ones', async () => {
    choose();
    const stepEvent = (step: number): ApiEvent => ({
      type: 'train.progress',
      runId: RUN,
      progress: {
        type: 'step',
        step,
        totalSteps: 4,
        epoch: 0,
        losses: { total: 3 - step / 2 },
        lr: 1e-3,
        gradNorm: 1,
        samplesPerSec: 50,
        etaSec: 1,
      },
    });
    let refuse = true;
    const api = fakeApi({
      'train.start': () => ok({ run, plan: plan(512), truncated: 0 }),
      'train.resume': async (input) => {
        expect(input).toEqual({ runId: RUN });
        if (refuse)
          return {
            ok: false,
            error: { code: 'conflict', message: 'The dataset of run 7 changed since the run started.' },
          };
        const resumed: ApiEvent = {
          type: 'train.progress',
          runId: RUN,
          progress: {
            type: 'started',
            device: { requested: 'cpu', used: 'cpu', notUsed: [] },
            trainExamples: 3,
            devExamples: 1,
            trainableParams: 10,
            totalSteps: 4,
            resumedFromStep: 2,
          },
        };
        api.emit(resumed);
        api.emit(stepEvent(3));
        return { ok: true, value: { run, plan: plan(512), truncated: 0 } };
      },
      'runs.curves': () =>
        ok({
          runId: RUN,
          status: 'running',
          curves: [{ split: 'train', name: 'loss', steps: [1, 2], values: [2.5, 2] }],
        }),
    });
    const model = new TrainState(api);
    const stop = api.onEvent(model.onEvent);
    await model.start();
    api.emit(stepEvent(1));
    api.emit({ type: 'train.status', runId: RUN, status: 'cancelled' });
    const stopped = model.live!;
    expect(stopped.active).toBe(false);

    await model.resume();
    expect(model.live).toBe(stopped);
    expect(model.error?.message).toMatch(/changed since the run started/);
    expect(model.resuming).toBe(false);

    refuse = false;
    await model.resume();
    const live = model.live!;
    expect(live).not.toBe(stopped);
    expect(model.error).toBeNull();
    expect(live.active).toBe(true);
    expect(live.started?.resumedFromStep).toBe(2);
    expect(live.series.steps).toEqual([1, 2, 3]);
    expect(live.series.loss).toEqual([2.5, 2, 1.5]);
    stop();
  });
});
