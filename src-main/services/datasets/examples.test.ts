import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import type { z } from 'zod';
import { projectWithRows } from './testing';
import { datasetStats, getExample, listExamples, ListExamplesInput } from './examples';
import { acceptExample, rejectSpan, setExampleStatus } from '../annotate/edits';
import { applyModelPredictions } from '../annotate/model';
import { ApplyModelPredictionsInput } from '../annotate/schemas';

type ListFilter = z.input<typeof ListExamplesInput>;
/** listExamples with the input parsed as the dispatcher would (defaults filled in). */
const query = (f: ListFilter) => listExamples(t.db, ListExamplesInput.parse(f));

let t: TempDb;
let projectId: number;
let datasetId: number;
let ids: number[];
// 12 rows: labels cycle A, B, C; rows 0..5 carry an ORG span on "Acme", rows 6..8 a PER span on "Bob".
const rows = Array.from({ length: 12 }, (_, i) => {
  const text = i < 6 ? `Acme story ${i}` : i < 9 ? `Bob story ${i}` : `Plain story ${i}`;
  const spans = i < 6 ? [{ start: 0, end: 4, label: 'ORG' }] : i < 9 ? [{ start: 0, end: 3, label: 'PER' }] : [];
  return { text, label: ['A', 'B', 'C'][i % 3], spans };
});
beforeEach(async () => {
  t = tempDb();
  const r = await projectWithRows(t.db, t.dir, rows, {
    importedSpanSource: 'silver',
    split: { mode: 'stratified', train: 2, dev: 1, test: 1, seed: 5 },
  });
  projectId = r.projectId;
  datasetId = r.summary.datasetId;
  ids = query({ datasetId, limit: 100 }).items.map((e) => e.id);
});
afterEach(() => t.cleanup());

const list = (f: Omit<ListFilter, 'datasetId'>) => query({ datasetId, limit: 100, ...f });
const lines = (f: Omit<ListFilter, 'datasetId'>) => list(f).items.map((e) => e.line - 1);

describe('listExamples', () => {
  it('filters by split, class, entity type, span source and status', () => {
    const dev = list({ split: 'dev' }).items;
    expect(dev.map((e) => e.classLabel).sort()).toEqual(['A', 'B', 'C']); // stratified: one of each
    expect(lines({ classLabel: 'B' })).toEqual([1, 4, 7, 10]);
    expect(lines({ entityType: 'PER' })).toEqual([6, 7, 8]);
    expect(lines({ entityType: 'PER', classLabel: 'B' })).toEqual([7]);
    acceptExample(t.db, { exampleId: ids[0] });
    setExampleStatus(t.db, { exampleId: ids[1], status: 'skipped' });
    expect(lines({ status: 'reviewed' })).toEqual([0]);
    expect(lines({ status: 'skipped' })).toEqual([1]);
    expect(lines({ spanSource: 'gold' })).toEqual([0]);
    expect(lines({ spanSource: 'silver', entityType: 'ORG' })).toEqual([1, 2, 3, 4, 5]);
    rejectSpan(t.db, { spanId: getExample(t.db, { exampleId: ids[2] }).spans[0].id });
    expect(lines({ entityType: 'ORG' })).toEqual([0, 1, 3, 4, 5]); // rejected spans do not count
    expect(lines({ contains: 'Plain' })).toEqual([9, 10, 11]);
  });

  it('pages with a stable order and a total over all pages', () => {
    const p1 = query({ projectId, limit: 5 });
    const p3 = query({ projectId, limit: 5, offset: 10 });
    expect(p1.total).toBe(12);
    expect(p1.items.map((e) => e.line - 1)).toEqual([0, 1, 2, 3, 4]);
    expect(p3.items.map((e) => e.line - 1)).toEqual([10, 11]);
    expect(p3.total).toBe(12);
    // Exactly one of datasetId or projectId: checked by the schema, see annotate/methods.test.ts.
  });

  it('finds where the model disagrees (class or spans) and sorts by model confidence', () => {
    expect(list({ modelDisagrees: true }).total).toBe(0); // no model has run
    applyModelPredictions(
      t.db,
      ApplyModelPredictionsInput.parse({
        labeler: 'run:7',
        predictions: [
          {
            exampleId: ids[0],
            label: 'A',
            confidence: 0.9,
            spans: [{ start: 0, end: 4, type: 'ORG', confidence: 0.9 }],
          }, // agrees
          { exampleId: ids[1], label: 'C', confidence: 0.3, spans: [{ start: 0, end: 4, type: 'ORG' }] }, // class differs
          { exampleId: ids[2], label: 'C', confidence: 0.8, spans: [{ start: 0, end: 4, type: 'LOC' }] }, // span type differs
          { exampleId: ids[6], label: 'A', confidence: 0.6, spans: [] }, // misses the PER span
          { exampleId: ids[9], label: 'A', confidence: 0.5, spans: [{ start: 0, end: 5, type: 'ORG' }] }, // extra span
        ],
      }),
    );
    expect(lines({ modelDisagrees: true })).toEqual([1, 2, 6, 9]);
    expect(lines({ modelDisagrees: true, order: 'modelConfidence' })).toEqual([1, 9, 6, 2]);
    expect(list({ modelDisagrees: false }).total).toBe(8);
    // Rejecting the model's extra span settles that disagreement.
    const extra = getExample(t.db, { exampleId: ids[9] }).spans.find((s) => s.source === 'model');
    rejectSpan(t.db, { spanId: extra?.id ?? -1 });
    expect(lines({ modelDisagrees: true })).toEqual([1, 2, 6]);
    expect(datasetStats(t.db, { datasetId }).modelDisagrees).toBe(3);
  });
});

describe('datasetStats', () => {
  it('counts per class and split, entity type, source, status and review progress', () => {
    acceptExample(t.db, { exampleId: ids[0] });
    const s = datasetStats(t.db, { projectId });
    expect(s.total).toBe(12);
    expect(s.reviewed).toBe(1);
    expect(s.byExampleStatus).toEqual({ pending: 11, reviewed: 1 });
    for (const label of ['A', 'B', 'C']) expect(s.byClass[label]).toEqual({ train: 2, dev: 1, test: 1 });
    const total = (r: Readonly<Record<string, number | undefined>>) =>
      Object.values(r).reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(total(s.byEntityType.ORG)).toBe(6);
    expect(total(s.byEntityType.PER)).toBe(3);
    expect(s.bySpanSource).toEqual({ gold: 1, silver: 8 });
    expect(s.bySpanStatus).toEqual({ accepted: 1, pending: 8 });
  });
});
