import { describe, expect, it } from 'vitest';
import type {
  Api,
  ApiEvent,
  DatasetHealthInfo,
  DatasetId,
  ExampleId,
  InputOf,
  MethodName,
  OutputOf,
  ProjectId,
  Result,
  RunInfo,
} from '../../../src-preload/contract';
import { HealthState, progressText } from './health-state.svelte';

function fakeApi(answers: Partial<{ [M in MethodName]: (input: InputOf<M>) => Result<OutputOf<M>> }>) {
  const calls: { method: MethodName; input: unknown }[] = [];
  const listeners = new Set<(e: ApiEvent) => void>();
  const api: Api = {
    invoke: async (method, input) => {
      calls.push({ method, input });
      const answer = answers[method] as ((i: unknown) => Result<unknown>) | undefined;
      if (answer === undefined)
        return { ok: false, error: { code: 'unknown_method', message: `no fake for ${method}` } };
      return answer(input) as never;
    },
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, calls, emit: (e: ApiEvent) => listeners.forEach((l) => l(e)), listeners };
}

const DS = 7 as DatasetId;
const health = (stale: boolean): DatasetHealthInfo => ({
  id: 1,
  datasetId: DS,
  modelPath: '/models/minilm',
  createdAt: '2026-01-01T00:00:00Z',
  stale,
  examples: { 3: { text: 'a text', classLabel: 'World' } },
  report: {
    data: { path: 'd (train)', rows: 10, unreadableRows: 0 },
    dev: null,
    encoder: { dir: '/models/minilm', maxLength: 64, precision: 'int8' },
    labelErrors: [{ line: 3, given: 'World', suggested: 'Sports', score: 0.9 }],
    labelCheck: null,
    exactDuplicates: [],
    nearDuplicates: [],
    nearDuplicateThreshold: 0.95,
    labelConflicts: [],
    leakage: [],
    devAccuracy: null,
    nerDisagreements: [],
    classBalance: { classes: [], imbalanceRatio: 1, unlabelled: 0 },
    lengthOutliers: [],
    lengthStats: { median: 5, lowFence: 1, highFence: 20 },
    skipped: [],
    timings: { readSeconds: 0, embedSeconds: 1, duplicatesSeconds: 0, labelCheckSeconds: 1, totalSeconds: 2 },
  },
});

describe('HealthState', () => {
  it('suggests the newest run’s model folder when the dataset was never checked', async () => {
    const { api } = fakeApi({
      'health.latest': () => ({ ok: true, value: null }),
      'runs.list': () => ({ ok: true, value: [{ modelPath: '/models/from-run' } as RunInfo] }),
    });
    const s = new HealthState(api);
    await s.load(DS, 2 as ProjectId);
    expect(s.loaded).toBe(true);
    expect(s.health).toBeNull();
    expect(s.modelDir).toBe('/models/from-run');
  });

  it('follows progress while checking, then shows the report; an accepted finding marks it stale', async () => {
    const { api, calls, emit, listeners } = fakeApi({
      'health.latest': () => ({ ok: true, value: null }),
      'runs.list': () => ({ ok: true, value: [] }),
      'health.accept': (i) => ({ ok: true, value: { exampleId: i.exampleId } }),
    });
    const s = new HealthState(api);
    await s.load(DS, 2 as ProjectId);
    s.modelDir = '/models/minilm';
    let seen = '';
    api.invoke = (async (method: MethodName, input: unknown) => {
      if (method !== 'health.check') return fakeApi({}).api.invoke(method, input as never);
      emit({ type: 'health.progress', datasetId: DS, stage: 'embed', done: 512, total: 2000 });
      if (s.phase.phase === 'running') seen = progressText(s.phase);
      return { ok: true, value: health(false) };
    }) as Api['invoke'];
    await s.check();
    expect(seen).toBe('Embedding texts… 512 / 2,000');
    expect(s.phase.phase).toBe('idle');
    expect(listeners.size).toBe(0);
    expect(s.health?.report.labelErrors).toHaveLength(1);

    api.invoke = fakeApi({ 'health.accept': (i) => ({ ok: true, value: { exampleId: i.exampleId } }) }).api.invoke;
    await s.accept(3 as ExampleId, { relabel: 'Sports' });
    expect(s.accepted[3]).toBe('relabelled Sports');
    expect(s.health?.stale).toBe(true);
    expect(calls.map((c) => c.method)).toEqual(['health.latest', 'runs.list']);
  });
});
