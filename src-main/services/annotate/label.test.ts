import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import type { z } from 'zod';
import { NotFoundError } from '../../store/errors';
import { projectWithRows } from '../datasets/testing';
import { listExamples, ListExamplesInput } from '../datasets/examples';
import { acceptExample, addSpan, rejectSpan } from './edits';
import { labelDataset, type LabelDatasetEvent, type LabelRuntime } from './label';
import { LabelDatasetInput } from './schemas';
import { compromiseLabeler } from '../../data/silver/compromise';
import type { Labeler } from '../../data/silver/types';
import type { SilverSpan } from '../../data/types';
import type { ExampleWithSpans } from '../../store/types';

// A tiny gazetteer: exact, predictable spans so the replacement rules can be checked precisely.
const gazetteer = (entries: Record<string, string>, id = 'gaz@1'): Labeler => ({
  id,
  types: [...new Set(Object.values(entries))],
  label(text: string): SilverSpan[] {
    const out: SilverSpan[] = [];
    for (const [word, type] of Object.entries(entries)) {
      for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + 1))
        out.push({ start: i, end: i + word.length, type, source: 'silver', labeler: id });
    }
    return out.sort((a, b) => a.start - b.start);
  },
});

let t: TempDb;
let datasetId: number;
const texts = ['Acme hires Bob in Paris', 'Bob left Acme', 'Paris is big', 'Nothing here'];
beforeEach(async () => {
  t = tempDb();
  datasetId = (
    await projectWithRows(
      t.db,
      t.dir,
      texts.map((text) => ({ text })),
      { split: { mode: 'fixed', split: 'train' } },
    )
  ).summary.datasetId;
});
afterEach(() => t.cleanup());

const all = (): readonly ExampleWithSpans[] => listExamples(t.db, ListExamplesInput.parse({ datasetId })).items;
/** labelDataset with its input parsed as the dispatcher would (defaults filled in). */
const label = (input: z.input<typeof LabelDatasetInput>, rt?: LabelRuntime) =>
  labelDataset(t.db, LabelDatasetInput.parse(input), rt);
const shape = (e: ExampleWithSpans) =>
  e.spans.map((s) => `${e.text.slice(s.start, s.end)}/${s.type}/${s.source}/${s.status}/${s.labeler}`);

describe('labelDataset', () => {
  it('stores pending silver spans with progress events, and is idempotent', async () => {
    const events: LabelDatasetEvent[] = [];
    const labeler = gazetteer({ Acme: 'ORG', Bob: 'PER', Paris: 'LOC' });
    const s = await label({ datasetId, batchSize: 3 }, { labeler, onEvent: (e) => events.push(e) });
    expect(s).toMatchObject({ examples: 4, spans: 6, replaced: 0, dropped: 0 });
    expect(events.filter((e) => e.kind === 'progress').map((e) => (e.kind === 'progress' ? e.done : -1))).toEqual([
      3, 4,
    ]);
    const first = all().map(shape);
    expect(first[1]).toEqual(['Bob/PER/silver/pending/gaz@1', 'Acme/ORG/silver/pending/gaz@1']);
    const again = await label({ datasetId }, { labeler });
    expect(again).toMatchObject({ spans: 6, replaced: 6 });
    expect(all().map(shape)).toEqual(first);
  });

  it('replaces only pending silver spans: gold, rejected and reviewed examples stay as people left them', async () => {
    await label({ datasetId }, { labeler: gazetteer({ Acme: 'PER', Bob: 'PER', Paris: 'LOC' }) });
    const [e0, e1, e2] = all();
    addSpan(t.db, { exampleId: e0.id, start: 0, end: 4, type: 'ORG' }); // gold Acme replaces silver PER
    rejectSpan(t.db, { spanId: e1.spans[1].id }); // reject silver PER on "Acme" in example 1
    acceptExample(t.db, { exampleId: e2.id });
    const s = await label(
      { datasetId },
      { labeler: gazetteer({ Acme: 'PER', Bob: 'PER', Paris: 'LOC', big: 'MISC' }, 'gaz@2') },
    );
    expect(s.examples).toBe(3); // the reviewed one is skipped
    expect(s.dropped).toBe(2); // PER over the gold ORG, and the rejected PER again
    const [a, b, c] = all();
    expect(shape(a)).toEqual([
      'Acme/ORG/gold/accepted/human',
      'Bob/PER/silver/pending/gaz@2',
      'Paris/LOC/silver/pending/gaz@2',
    ]);
    expect(shape(b)).toEqual(['Bob/PER/silver/pending/gaz@2', 'Acme/PER/silver/rejected/gaz@1']);
    expect(shape(c)).toEqual(['Paris/LOC/gold/accepted/gaz@1']);
  });

  it('stores exactly what the real compromise labeler proposes', async () => {
    const labeler = compromiseLabeler();
    const s = await label({ datasetId }, { labeler });
    expect(s.spans).toBeGreaterThan(0);
    for (const e of all()) {
      expect(e.spans.map((s) => [s.start, s.end, s.type])).toEqual(
        labeler.label(e.text).map((s) => [s.start, s.end, s.type]),
      );
    }
  });

  it('uses the default silver pipeline when no labeler is given', async () => {
    const { silverLabeler } = await import('../../data/silver');
    const reference = silverLabeler();
    const s = await label({ datasetId });
    expect(s.spans).toBeGreaterThan(0);
    for (const e of all()) {
      expect(e.spans.map((x) => [x.start, x.end, x.type])).toEqual(
        reference.label(e.text).map((x) => [x.start, x.end, x.type]),
      );
      for (const x of e.spans) expect(x.labeler).toMatch(/@/);
    }
  });

  it('refuses a dataset that is still importing or missing', async () => {
    await expect(label({ datasetId: 999 }, { labeler: gazetteer({}) })).rejects.toThrow(NotFoundError);
  });
});
