import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, PreannotateOutcome } from '../../../src-preload/contract';
import { spansOfExample } from '../../store/repos/spans';
import { undo } from '../annotate';
import type { DbHandle } from '../app/db';
import { preannotateMethods } from './methods';
import type { ServiceContext } from '../api/methods';
import { getExample, listExamples, ListExamplesInput } from '../datasets';
import { PredictorCache } from '../playground/cache';
import { labelledRows, trainedFixture, type TrainFixture } from '../train/testing';

let f: TrainFixture & { runId: number };
const cache = new PredictorCache(1);
const events: ApiEvent[] = [];
let methods: ReturnType<typeof preannotateMethods>;
let ctx: ServiceContext;

beforeAll(async () => {
  // File spans stored as pending silver, as the silver labeler leaves them. The checkpoint is picked by NER F1
  // (classification reaches 100 % in a dozen steps, before NER learns) after enough steps to tag real entities.
  const fixture = { epochs: 30, lr: 3e-3, selectMetric: 'ner.f1' } as const;
  f = await trainedFixture(labelledRows(32), fixture, { importedSpanSource: 'silver' });
  const db: DbHandle = { get: () => f.db, close: () => undefined };
  methods = preannotateMethods(db, { cache });
  ctx = { emit: (e) => events.push(e) };
}, 60_000);
afterAll(async () => {
  await cache.clear();
  f.cleanup();
});

async function run(input: Record<string, unknown>): Promise<PreannotateOutcome> {
  const def = methods['annotate.preannotate'];
  return def.handler(def.input.parse(input), ctx);
}

async function fails(input: Record<string, unknown>): Promise<{ code: string; message: string }> {
  try {
    await run(input);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected the pre-annotation to fail');
}

const modelSpans = (): number =>
  f.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM spans WHERE source = 'model'`).get()!.n;

describe('annotate.preannotate', () => {
  it('pre-annotates the filtered list, stores class predictions, reports progress, and one undo reverts spans and classes', async () => {
    const dev = listExamples(f.db, ListExamplesInput.parse({ datasetId: f.datasetId, split: 'dev', limit: 500 }));
    const silverBefore = dev.items.flatMap((e) => e.spans).filter((s) => s.source === 'silver').length;
    events.length = 0;
    const out = await run({
      runId: f.runId,
      datasetId: f.datasetId,
      scope: { kind: 'filtered', filter: { split: 'dev' } },
    });
    expect(out).toMatchObject({ examples: dev.total, classesStored: dev.total, undoable: true });
    expect(out.spansAdded).toBeGreaterThan(0);
    expect(out.spansReplaced).toBe(silverBefore);
    expect(modelSpans()).toBe(out.spansAdded);
    // Progress starts at 0 and ends at the number of examples predicted.
    const progress = events.flatMap((e) => (e.type === 'annotate.preannotate' ? [e.progress] : []));
    expect(progress[0]).toEqual({ done: 0, total: dev.total });
    expect(progress.at(-1)).toEqual({ done: dev.total, total: dev.total });
    for (const e of dev.items) {
      const now = getExample(f.db, { exampleId: e.id });
      expect(now.modelLabel).not.toBeNull();
      expect(now.modelConfidence).toBeGreaterThan(0);
    }
    // Train examples were outside the filter: no model prediction stored.
    const train = listExamples(f.db, ListExamplesInput.parse({ datasetId: f.datasetId, split: 'train', limit: 1 }));
    expect(train.items[0]!.modelLabel).toBeNull();
    // With predictions stored, "model disagrees" is computed for dev examples only, least confident first.
    const disagree = listExamples(
      f.db,
      ListExamplesInput.parse({ datasetId: f.datasetId, modelDisagrees: true, order: 'modelConfidence', limit: 500 }),
    );
    expect(disagree.items.every((e) => e.split === 'dev')).toBe(true);
    const conf = disagree.items.map((e) => e.modelConfidence!);
    expect(conf).toEqual([...conf].sort((a, b) => a - b));

    undo(f.db, { projectId: f.projectId });
    expect(modelSpans()).toBe(0);
    const silverAfter = dev.items.flatMap((e) => spansOfExample(f.db, e.id)).filter((s) => s.source === 'silver');
    expect(silverAfter).toHaveLength(silverBefore);
    // The same undo took the class predictions back, so no example is left "disagreeing" with its silver spans.
    for (const e of dev.items) expect(getExample(f.db, { exampleId: e.id }).modelAt).toBeNull();
    expect(
      listExamples(f.db, ListExamplesInput.parse({ datasetId: f.datasetId, modelDisagrees: true, limit: 1 })).total,
    ).toBe(0);
  });

  it('takes all pending examples or chosen ids, and leaves reviewed examples without a class prediction', async () => {
    const all = listExamples(f.db, ListExamplesInput.parse({ datasetId: f.datasetId, limit: 500 }));
    const reviewed = all.items[0]!.id;
    f.db.prepare(`UPDATE examples SET status = 'reviewed' WHERE id = ?`).run(reviewed);
    const pending = await run({ runId: f.runId, datasetId: f.datasetId, scope: { kind: 'all-pending' } });
    expect(pending.examples).toBe(all.total - 1);
    expect(pending.classesStored).toBe(all.total - 1);
    const proposed = f.db
      .prepare<[], { id: number }>(`SELECT example_id AS id FROM spans WHERE source = 'model' LIMIT 1`)
      .get()!.id;
    const chosen = await run({
      runId: f.runId,
      datasetId: f.datasetId,
      scope: { kind: 'examples', exampleIds: [reviewed, proposed] },
      minConfidence: 1,
    });
    expect(chosen).toMatchObject({ examples: 1, spansAdded: 0, skipped: { reviewed: 1 } });
    // The earlier proposals are replaced by nothing: every new one falls under minConfidence 1.
    expect(chosen.spansReplaced).toBeGreaterThan(0);
    expect(chosen.skipped.lowConfidence).toBe(chosen.spansReplaced);
    expect(getExample(f.db, { exampleId: reviewed }).modelLabel).toBeNull();
  });

  it('answers an empty scope with zeros and refuses foreign examples and bad filters, naming them', async () => {
    const none = await run({
      runId: f.runId,
      datasetId: f.datasetId,
      scope: { kind: 'filtered', filter: { contains: 'no such text anywhere' } },
    });
    expect(none).toMatchObject({ examples: 0, spansAdded: 0, undoable: false });
    expect(
      await fails({ runId: f.runId, datasetId: f.datasetId, scope: { kind: 'examples', exampleIds: [999_999] } }),
    ).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/Example 999999 is not in dataset/) });
    expect(
      await fails({ runId: f.runId, datasetId: f.datasetId, scope: { kind: 'filtered', filter: { split: 'bogus' } } }),
    ).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/pre-annotate filter/) });
  });

  it('cancels between chunks without writing anything', async () => {
    const before = modelSpans();
    const cancel = methods['annotate.cancelPreannotate'];
    let answer: Promise<{ cancelled: boolean }> | null = null;
    const cancelling: ServiceContext = {
      emit: (e) => {
        if (e.type === 'annotate.preannotate' && answer === null)
          answer = cancel.handler({ datasetId: f.datasetId }, ctx);
      },
    };
    const def = methods['annotate.preannotate'];
    const input = def.input.parse({ runId: f.runId, datasetId: f.datasetId, scope: { kind: 'all-pending' } });
    await expect(def.handler(input, cancelling)).rejects.toMatchObject({ code: 'cancelled' });
    expect(await answer).toEqual({ cancelled: true });
    expect(modelSpans()).toBe(before);
    expect(await cancel.handler({ datasetId: f.datasetId }, ctx)).toEqual({ cancelled: false });
  });
});
