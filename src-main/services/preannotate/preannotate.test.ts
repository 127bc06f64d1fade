import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db';
import { getExample, setModelClass } from '../../store/repos/examples';
import { queryExamples } from '../../store/repos/query';
import { spansOfExample } from '../../store/repos/spans';
import type { Example, Span } from '../../store/types';
import { addSpan, redo, rejectSpan, setClassLabel, undo } from '../annotate';
import { projectWithRows } from '../datasets/testing';
import { PredictorCache } from '../playground/cache';
import { labelledRows, trainedFixture, type TrainFixture } from '../train/testing';
import { preannotate as runPreannotate, PreannotateInput } from './preannotate';

let f: TrainFixture & { runId: number };
const cache = new PredictorCache(1);
beforeAll(async () => {
  // File spans stored as pending silver, as the silver labeler leaves them. The checkpoint is picked by NER F1
  // (classification reaches 100 % in a dozen steps, before NER learns) after enough steps to tag real entities.
  const fixture = { epochs: 30, lr: 3e-3, selectMetric: 'ner.f1' } as const;
  f = await trainedFixture(labelledRows(32), fixture, { importedSpanSource: 'silver' });
});
afterAll(async () => {
  await cache.clear();
  f.cleanup();
});

/** The service with its input parsed as the dispatcher would (defaults filled in), on the shared cache. */
const preannotate = (input: {
  runId: number;
  exampleIds: number[];
  minConfidence?: number;
  onFewer?: 'replace' | 'ask';
}) => runPreannotate(f.db, PreannotateInput.parse(input));
const key = (s: Span): string => `${s.id}:${s.start}-${s.end}:${s.type}:${s.source}:${s.status}`;
const same = (a: Span, b: Span): boolean => a.start === b.start && a.end === b.end && a.type === b.type;
const modelFields = (db: Db, id: number): Pick<Example, 'modelLabel' | 'modelConfidence' | 'modelAt'> => {
  const { modelLabel, modelConfidence, modelAt } = getExample(db, id);
  return { modelLabel, modelConfidence, modelAt };
};
/** Ids of the examples (of `ids`) that the "model disagrees" filter lists. */
const disagreeing = (ids: readonly number[]): number[] =>
  queryExamples(f.db, { datasetId: f.datasetId, modelDisagrees: true }, 'line', 0, 1000)
    .items.map((e) => e.id)
    .filter((id) => ids.includes(id));
/** `n` example ids in line order, from `offset` (each test takes its own so they do not interfere). */
const exampleIds = (offset: number, n: number): number[] =>
  f.db
    .prepare<[number, number], { id: number }>(`SELECT id FROM examples ORDER BY line LIMIT ? OFFSET ?`)
    .all(n, offset)
    .map((r) => r.id);

describe('preannotate', () => {
  it('replaces pending silver spans with model spans, leaves gold/accepted/rejected alone, and undoes in one step', async () => {
    const ids = f.db
      .prepare<[], { id: number }>(`SELECT id FROM examples ORDER BY line LIMIT 8`)
      .all()
      .map((r) => r.id);
    // A person's gold span on example 0 and a rejected silver span on example 1.
    addSpan(f.db, { exampleId: ids[0]!, start: 0, end: 4, type: 'PER' });
    const silver1 = spansOfExample(f.db, ids[1]!).find((s) => s.source === 'silver')!;
    rejectSpan(f.db, { spanId: silver1.id });
    const before = new Map(ids.map((id) => [id, spansOfExample(f.db, id).map(key)]));

    const r = await preannotate({ runId: f.runId, exampleIds: ids });
    expect(r.examples).toBe(8);
    expect(r.removedSilver).toBeGreaterThan(0);
    expect(r.added).toBeGreaterThan(0);
    expect(r.logEntryId).not.toBeNull();
    let modelSpans = 0;
    for (const id of ids) {
      const now = spansOfExample(f.db, id);
      expect(now.some((s) => s.source === 'silver' && s.status === 'pending')).toBe(false);
      const settled = now.filter((s) => s.source !== 'model');
      // Gold, accepted and rejected spans are exactly the ones that were there (same ids).
      expect(settled.map(key)).toEqual(before.get(id)!.filter((k) => !k.endsWith(':silver:pending')));
      for (const m of now.filter((s) => s.source === 'model')) {
        modelSpans++;
        expect(m).toMatchObject({ status: 'pending', labeler: `run:${f.runId}` });
        expect(m.confidence).toBeGreaterThan(0);
        // Beside a settled span a model span is only ever its exact twin (the model's agreement).
        const overlapping = settled.filter((s) => s.status !== 'rejected' && s.start < m.end && m.start < s.end);
        expect(overlapping.every((s) => same(s, m))).toBe(true);
        expect(
          settled.some((s) => s.status === 'rejected' && s.start === m.start && s.end === m.end && s.type === m.type),
        ).toBe(false);
      }
    }
    expect(modelSpans).toBe(r.added);

    // Running it again replaces its own earlier proposals instead of stacking them.
    const again = await preannotate({ runId: f.runId, exampleIds: ids });
    expect(again.removedModel).toBe(r.added);
    expect(again.added).toBe(r.added);

    undo(f.db, { projectId: f.projectId });
    undo(f.db, { projectId: f.projectId });
    for (const id of ids) expect(spansOfExample(f.db, id).map(key)).toEqual(before.get(id));
    redo(f.db, { projectId: f.projectId });
    expect(ids.flatMap((id) => spansOfExample(f.db, id)).filter((s) => s.source === 'model')).toHaveLength(r.added);
  });

  it('drops proposals under minConfidence and refuses examples of another project', async () => {
    const ids = f.db
      .prepare<[], { id: number }>(`SELECT id FROM examples ORDER BY line DESC LIMIT 4`)
      .all()
      .map((r) => r.id);
    const r = await preannotate({ runId: f.runId, exampleIds: ids, minConfidence: 1 });
    expect(r.added).toBe(0);
    expect(r.skipped.lowConfidence).toBeGreaterThan(0);
    await expect(preannotate({ runId: f.runId, exampleIds: [999_999] })).rejects.toMatchObject({ code: 'not_found' });
    const other = await projectWithRows(f.db, f.dir, [{ text: 'John Smith lives in Paris.' }]);
    const otherId = f.db
      .prepare<[number], { id: number }>('SELECT id FROM examples WHERE dataset_id = ?')
      .get(other.summary.datasetId)!.id;
    await expect(preannotate({ runId: f.runId, exampleIds: [otherId] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/belongs to project/),
    });
  });

  it("with onFewer 'ask', writes nothing when the threshold keeps fewer spans than it replaces, and says how many", async () => {
    const ids = exampleIds(24, 4);
    const before = ids.map((id) => spansOfExample(f.db, id).map(key));
    const pendingSilver = before.flat().filter((k) => k.endsWith(':silver:pending')).length;
    expect(pendingSilver).toBeGreaterThan(0);
    // No prediction reaches confidence 1: every one of them is under the threshold.
    const held = await preannotate({ runId: f.runId, exampleIds: ids, minConfidence: 1, onFewer: 'ask' });
    expect(held).toMatchObject({ applied: false, added: 0, removedSilver: pendingSilver, logEntryId: null });
    expect(held.skipped.lowConfidence).toBeGreaterThan(0);
    expect(ids.map((id) => spansOfExample(f.db, id).map(key))).toEqual(before);
    // 'replace' (the default) goes ahead, and one undo brings the pending spans back.
    const done = await preannotate({ runId: f.runId, exampleIds: ids, minConfidence: 1 });
    expect(done).toMatchObject({ applied: true, added: 0, removedSilver: pendingSilver });
    expect(done.logEntryId).not.toBeNull();
    undo(f.db, { projectId: f.projectId });
    expect(ids.map((id) => spansOfExample(f.db, id).map(key))).toEqual(before);
    // Without a threshold nothing is left out, so it never asks (whatever the model proposes is what was asked for).
    const open = await preannotate({ runId: f.runId, exampleIds: ids, minConfidence: 0, onFewer: 'ask' });
    expect(open).toMatchObject({ applied: true, skipped: { lowConfidence: 0 } });
    undo(f.db, { projectId: f.projectId });
  });

  it('stores the class prediction in the same edit, so one undo removes it with the spans', async () => {
    const ids = exampleIds(8, 8);
    // One example carries an earlier prediction: undo must bring that back, not clear it.
    setModelClass(f.db, ids[0]!, 'Earlier', 0.5, '2020-01-01T00:00:00.000Z');
    const before = ids.map((id) => modelFields(f.db, id));
    const r = await preannotate({ runId: f.runId, exampleIds: ids });
    expect(r.classesStored).toBe(ids.length);
    for (const id of ids) {
      const m = modelFields(f.db, id);
      expect(['Sports', 'Business']).toContain(m.modelLabel);
      expect(m.modelConfidence).toBeGreaterThan(0);
      expect(m.modelAt).not.toBe(before[0]!.modelAt);
    }
    const predicted = ids.map((id) => modelFields(f.db, id));

    undo(f.db, { projectId: f.projectId });
    expect(ids.map((id) => modelFields(f.db, id))).toEqual(before);
    // Back to silver spans and no prediction: nothing "disagrees" (the example with an earlier one aside).
    expect(disagreeing(ids.slice(1))).toEqual([]);
    redo(f.db, { projectId: f.projectId });
    expect(ids.map((id) => modelFields(f.db, id))).toEqual(predicted);
  });

  it('writes a proposal equal to a gold span as its model twin, and skips one that overlaps it differently', async () => {
    const ids = exampleIds(16, 8);
    await preannotate({ runId: f.runId, exampleIds: ids });
    const id = ids.find((i) => spansOfExample(f.db, i).some((s) => s.source === 'model'));
    expect(id, 'the fixture model proposes no span on these examples').toBeDefined();
    const exampleId = id!;
    const proposed = spansOfExample(f.db, exampleId).filter((s) => s.source === 'model');
    // A person labels exactly what the model proposed: spans and class.
    for (const m of proposed) addSpan(f.db, { exampleId, start: m.start, end: m.end, type: m.type });
    setClassLabel(f.db, { exampleId, label: modelFields(f.db, exampleId).modelLabel });

    const agreed = await preannotate({ runId: f.runId, exampleIds: [exampleId] });
    expect(agreed).toMatchObject({ added: proposed.length, agreed: proposed.length, skipped: { settled: 0 } });
    const spans = spansOfExample(f.db, exampleId);
    const gold = spans.filter((s) => s.source === 'gold');
    const twins = spans.filter((s) => s.source === 'model');
    expect(gold).toHaveLength(proposed.length);
    expect(twins).toHaveLength(proposed.length);
    for (const m of twins) {
      expect(gold.some((g) => same(g, m))).toBe(true);
      expect(m).toMatchObject({ status: 'pending', labeler: `run:${f.runId}` });
      expect(m.confidence).toBeGreaterThan(0);
    }
    expect(disagreeing([exampleId])).toEqual([]);

    // The person retypes one span: the model's proposal now overlaps it differently, so it is not written.
    const first = proposed[0]!;
    const other = first.type === 'MISC' ? 'PER' : 'MISC';
    addSpan(f.db, { exampleId, start: first.start, end: first.end, type: other });
    const differs = await preannotate({ runId: f.runId, exampleIds: [exampleId] });
    expect(differs).toMatchObject({ added: proposed.length - 1, agreed: proposed.length - 1, skipped: { settled: 1 } });
    const now = spansOfExample(f.db, exampleId).filter((s) => s.source === 'model');
    expect(now.some((m) => m.start < first.end && first.start < m.end)).toBe(false);
    expect(disagreeing([exampleId])).toEqual([exampleId]);
  });
});
