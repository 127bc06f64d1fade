import { describe, expect, it } from 'vitest';
import type {
  Api,
  ApiEvent,
  DatasetId,
  DatasetStats,
  InputOf,
  MethodName,
  OutputOf,
  PreannotateOutcome,
  ProjectId,
  Result,
  RunId,
  RunInfo,
} from '../../../src-preload/contract';
import { AnnotateState } from './annotate-state.svelte';
import { NO_FILTERS } from './filters';
import {
  confirmText,
  isFiltered,
  outcomeText,
  PreannotateState,
  scopeFilter,
  usableRuns,
} from './preannotate-state.svelte';

const run = (id: number, status: RunInfo['status'], metrics: readonly string[]): RunInfo => ({
  id: id as RunId,
  projectId: 2 as ProjectId,
  datasetId: 7 as DatasetId,
  name: `run ${id}`,
  preset: 'heads-only',
  modelPath: '/models/tiny',
  dataHash: 'abc',
  deviceRequested: 'cpu',
  deviceUsed: 'cpu',
  deviceReason: null,
  status,
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  endedAt: null,
  durationSec: null,
  best: Object.fromEntries(metrics.map((m) => [m, { value: 0.5, step: 1 }])),
});

const outcome: PreannotateOutcome = {
  examples: 40,
  spansAdded: 31,
  spansReplaced: 25,
  skipped: { reviewed: 2, settled: 1, rejected: 0, lowConfidence: 6 },
  classesStored: 40,
  undoable: true,
  applied: true,
  seconds: 1.25,
};

/** A fake backend: answers from `answers`, records calls, and lets the test push events to listeners. */
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

describe('pre-annotation helpers', () => {
  it('offers completed runs that trained an NER head', () => {
    const runs = [
      run(1, 'completed', ['ner.f1']),
      run(2, 'failed', ['ner.f1']),
      run(3, 'completed', ['classification.accuracy']),
    ];
    expect(usableRuns(runs).map((r) => r.id)).toEqual([1]);
  });

  it("turns the list's filters into the scope's filter, without paging or order", () => {
    expect(scopeFilter(NO_FILTERS)).toEqual({});
    expect(isFiltered(NO_FILTERS)).toBe(false);
    const f = { ...NO_FILTERS, split: 'dev' as const, modelDisagrees: true, order: 'modelConfidence' as const };
    expect(scopeFilter(f)).toEqual({ split: 'dev', modelDisagrees: true });
    expect(isFiltered({ ...NO_FILTERS, order: 'modelConfidence' })).toBe(false);
  });

  it('says what happened, and that one undo reverts it', () => {
    expect(outcomeText(outcome)).toBe(
      'Pre-annotated 40 examples in 1.3 s: 31 model spans added, 25 pending spans replaced, ' +
        '7 proposals left out (6 under the minimum confidence, 1 over labelled spans, 0 rejected before), ' +
        '2 reviewed examples untouched. One Ctrl+Z undoes it.',
    );
    const none = { ...outcome, examples: 0, skipped: { ...outcome.skipped, reviewed: 0 } };
    expect(outcomeText(none)).toMatch(/nothing was pre-annotated/);
  });
});

describe('PreannotateState', () => {
  const datasetId = 7 as DatasetId;
  const stats: DatasetStats = {
    total: 9,
    reviewed: 0,
    byClass: {},
    byEntityType: {},
    bySpanSource: { model: 31 },
    modelDisagrees: 4,
  };

  function setup(answer: Result<PreannotateOutcome>) {
    const fake = fakeApi({
      'runs.list': () => ({ ok: true, value: [run(5, 'completed', ['ner.f1']), run(4, 'completed', ['ner.f1'])] }),
      'annotate.preannotate': () => {
        // Progress arrives while the call is in flight.
        fake.emit({ type: 'annotate.preannotate', datasetId, progress: { done: 3, total: 9 } });
        seen.push(pre.status);
        return answer;
      },
      'datasets.stats': () => ({ ok: true, value: stats }),
      'annotate.history': () => ({ ok: true, value: [] }),
    });
    const seen: PreannotateState['status'][] = [];
    const annotate = new AnnotateState(fake.api);
    annotate.projectId = 2 as ProjectId;
    annotate.datasetId = datasetId;
    annotate.filters = { ...NO_FILTERS, classLabel: 'Sports' };
    const pre = new PreannotateState(fake.api, annotate);
    return { fake, pre, annotate, seen };
  }

  it('loads runs, runs on the filtered list with live progress, then shows the outcome and refreshes', async () => {
    const { fake, pre, annotate, seen } = setup({ ok: true, value: outcome });
    await pre.show();
    expect(pre.runId).toBe(5);
    pre.minConfidence = 0.7;
    await pre.run();
    expect(seen).toEqual([{ phase: 'running', done: 3, total: 9 }]);
    expect(fake.calls.find((c) => c.method === 'annotate.preannotate')?.input).toEqual({
      runId: 5,
      datasetId,
      scope: { kind: 'filtered', filter: { classLabel: 'Sports' } },
      minConfidence: 0.7,
      onFewer: 'ask',
    });
    expect(pre.status).toEqual({ phase: 'done', outcome });
    expect(annotate.notice?.text).toBe(outcomeText(outcome));
    // The screen's counts and history are reloaded (the list refetches what is in view).
    expect(annotate.stats).toEqual(stats);
    expect(fake.calls.map((c) => c.method)).toContain('annotate.history');
    expect(fake.listeners.size).toBe(0);
  });

  it('asks before replacing pending spans with fewer model spans, and replaces only when confirmed', async () => {
    const held: PreannotateOutcome = {
      ...outcome,
      spansAdded: 0,
      spansReplaced: 1225,
      skipped: { reviewed: 0, settled: 0, rejected: 0, lowConfidence: 1300 },
      classesStored: 0,
      undoable: false,
      applied: false,
    };
    const fake = fakeApi({
      'runs.list': () => ({ ok: true, value: [run(5, 'completed', ['ner.f1'])] }),
      'annotate.preannotate': (input) => ({ ok: true, value: input.onFewer === 'ask' ? held : outcome }),
      'datasets.stats': () => ({ ok: true, value: stats }),
      'annotate.history': () => ({ ok: true, value: [] }),
    });
    const annotate = new AnnotateState(fake.api);
    annotate.projectId = 2 as ProjectId;
    annotate.datasetId = datasetId;
    const pre = new PreannotateState(fake.api, annotate);
    await pre.show();
    await pre.run();
    expect(pre.status).toEqual({ phase: 'confirm', outcome: held });
    expect(annotate.notice).toBeNull();
    expect(confirmText(held, 0.5)).toBe(
      "The minimum confidence 0.50 keeps none of the model's 1,300 proposals, but 1,225 pending spans in 40 examples would be removed to make room.",
    );
    pre.keepPending();
    expect(pre.status).toEqual({ phase: 'idle' });
    await pre.run();
    await pre.run(true);
    const sent = fake.calls
      .filter((c) => c.method === 'annotate.preannotate')
      .map((c) => (c.input as { onFewer: string }).onFewer);
    expect(sent).toEqual(['ask', 'ask', 'replace']);
    expect(pre.status).toEqual({ phase: 'done', outcome });
  });

  it('shows a refusal as the panel error and goes back to idle', async () => {
    const message = 'Run 5 has no NER head (it trained classification only), so it cannot propose spans.';
    const { pre } = setup({ ok: false, error: { code: 'conflict', message } });
    await pre.show();
    pre.scope = 'all-pending';
    await pre.run();
    expect(pre.status).toEqual({ phase: 'idle' });
    expect(pre.error?.message).toBe(message);
  });
});
