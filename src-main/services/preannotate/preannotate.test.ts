import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spansOfExample } from '../../store/repos/spans';
import type { Span } from '../../store/types';
import { addSpan, redo, rejectSpan, undo } from '../annotate';
import { projectWithRows } from '../datasets/testing';
import { unwrap } from '../errors';
import { PredictorCache } from '../playground/cache';
import { labelledRows, trainedFixture, type TrainFixture } from '../train/testing';
import { preannotate } from './preannotate';

let f: TrainFixture & { runId: number };
const cache = new PredictorCache(1);
beforeAll(async () => {
  // Spans from the file stored as pending silver, as the silver labeler leaves them; enough epochs to tag places.
  f = await trainedFixture(labelledRows(32), { epochs: 12 }, { importedSpanSource: 'silver' });
});
afterAll(async () => {
  await cache.clear();
  f.cleanup();
});

const key = (s: Span): string => `${s.id}:${s.start}-${s.end}:${s.type}:${s.source}:${s.status}`;

describe('preannotate', () => {
  it('replaces pending silver spans with model spans, leaves gold/accepted/rejected alone, and undoes in one step', async () => {
    const ids = f.db
      .prepare<[], { id: number }>(`SELECT id FROM examples ORDER BY line LIMIT 8`)
      .all()
      .map((r) => r.id);
    // A person's gold span on example 0 and a rejected silver span on example 1.
    unwrap(addSpan(f.db, { exampleId: ids[0]!, start: 0, end: 4, type: 'PER' }));
    const silver1 = spansOfExample(f.db, ids[1]!).find((s) => s.source === 'silver')!;
    unwrap(rejectSpan(f.db, { spanId: silver1.id }));
    const before = new Map(ids.map((id) => [id, spansOfExample(f.db, id).map(key)]));

    const r = unwrap(await preannotate(f.db, { runId: f.runId, exampleIds: ids }, { cache }));
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
        expect(settled.some((s) => s.status !== 'rejected' && s.start < m.end && m.start < s.end)).toBe(false);
        expect(
          settled.some((s) => s.status === 'rejected' && s.start === m.start && s.end === m.end && s.type === m.type),
        ).toBe(false);
      }
    }
    expect(modelSpans).toBe(r.added);

    // Running it again replaces its own earlier proposals instead of stacking them.
    const again = unwrap(await preannotate(f.db, { runId: f.runId, exampleIds: ids }, { cache }));
    expect(again.removedModel).toBe(r.added);
    expect(again.added).toBe(r.added);

    unwrap(undo(f.db, { projectId: f.projectId }));
    unwrap(undo(f.db, { projectId: f.projectId }));
    for (const id of ids) expect(spansOfExample(f.db, id).map(key)).toEqual(before.get(id));
    unwrap(redo(f.db, { projectId: f.projectId }));
    expect(ids.flatMap((id) => spansOfExample(f.db, id)).filter((s) => s.source === 'model')).toHaveLength(r.added);
  });

  it('drops proposals under minConfidence and refuses examples of another project', async () => {
    const ids = f.db
      .prepare<[], { id: number }>(`SELECT id FROM examples ORDER BY line DESC LIMIT 4`)
      .all()
      .map((r) => r.id);
    const r = unwrap(await preannotate(f.db, { runId: f.runId, exampleIds: ids, minConfidence: 1 }, { cache }));
    expect(r.added).toBe(0);
    expect(r.skipped.lowConfidence).toBeGreaterThan(0);
    const missing = await preannotate(f.db, { runId: f.runId, exampleIds: [999_999] }, { cache });
    expect(!missing.ok && missing.error.code).toBe('not_found');
    const other = await projectWithRows(f.db, f.dir, [{ text: 'John Smith lives in Paris.' }]);
    const otherId = f.db
      .prepare<[number], { id: number }>('SELECT id FROM examples WHERE dataset_id = ?')
      .get(other.summary.datasetId)!.id;
    const foreign = await preannotate(f.db, { runId: f.runId, exampleIds: [otherId] }, { cache });
    expect(!foreign.ok && foreign.error).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/belongs to project/),
    });
  });
});
