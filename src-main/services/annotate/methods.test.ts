import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiEvent,
  ExampleInfo,
  ExampleRowPage,
  HistoryEntry,
  ImportSummary,
  LabelAllOutcome,
  LabelDatasetOutcome,
  ProjectInfo,
  UndoOutcome,
} from '../../../src-preload/contract';
import type { Labeler } from '../../data/silver/types';
import { annotateMethods, previewOf } from './methods';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';

/** A deterministic labeler: every whole-word "Acme" is an ORG, every "Paris" a LOC. */
const wordLabeler: Labeler = {
  id: 'test-words@1',
  types: ['ORG', 'LOC'],
  label: (text) =>
    [...text.matchAll(/\b(Acme|Paris)\b/g)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      type: m[0] === 'Acme' ? 'ORG' : 'LOC',
      source: 'silver' as const,
      labeler: 'test-words@1',
    })),
};

const fixture = testTable();
const events: ApiEvent[] = [];
const table = { ...fixture.table, ...annotateMethods(fixture.db, { labeler: wordLabeler }) };
const dispatch = createDispatcher(table, { emit: (e) => events.push(e) });
const filesDir = mkdtempSync(path.join(tmpdir(), 'mts-annotate-'));
const TEXTS = [
  'Acme opens an office in Paris 🤦🏼‍♂️ today',
  '東京のAcme支社 reports record sales',
  'Shares of Acme rose; AcmeCorp did not',
  'Nothing to see here',
];
let projectId = 0;
let datasetId = 0;

async function ok<T>(method: string, input: unknown): Promise<T> {
  const result = await dispatch(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

async function exampleWith(text: string): Promise<ExampleInfo> {
  const page = await ok<ExampleRowPage>('annotate.listExamples', { datasetId, contains: text, limit: 5 });
  const row = page.items[0];
  if (row === undefined) throw new Error(`no example contains ${text}`);
  return ok<ExampleInfo>('annotate.getExample', { exampleId: row.id });
}

beforeAll(async () => {
  const file = path.join(filesDir, 'news.csv');
  const rows = TEXTS.map((t, i) => `${i % 2 === 0 ? 'Business' : 'World'},"${t}"`);
  writeFileSync(file, ['label,text', ...rows].join('\n'));
  projectId = (await ok<ProjectInfo>('projects.create', { name: 'Annotate test' })).id;
  const summary = await ok<ImportSummary>('datasets.import', {
    projectId,
    path: file,
    split: { mode: 'fixed', split: 'train' },
  });
  datasetId = summary.datasetId;
});

afterAll(() => {
  fixture.cleanup();
  rmSync(filesDir, { recursive: true, force: true });
});

describe('annotate.* over the contract', () => {
  it('runs the labeler with progress events, then lists rows with span counts and filters', async () => {
    events.length = 0;
    const outcome = await ok<LabelDatasetOutcome>('annotate.labelDataset', { datasetId });
    expect(outcome).toMatchObject({ examples: 4, spans: 4, replaced: 0 });
    const label = events.filter((e) => e.type === 'annotate.label');
    expect(label.at(-1)).toMatchObject({ datasetId, progress: { kind: 'done', summary: { spans: 4 } } });
    expect(label.some((e) => e.type === 'annotate.label' && e.progress.kind === 'progress')).toBe(true);

    const all = await ok<ExampleRowPage>('annotate.listExamples', { datasetId });
    expect(all.total).toBe(4);
    expect(all.items.map((r) => r.spanCounts.silver)).toEqual([2, 1, 1, 0]);
    const locs = await ok<ExampleRowPage>('annotate.listExamples', { datasetId, entityType: 'LOC' });
    expect(locs.items.map((r) => r.line)).toEqual([all.items[0]?.line]);
    const silver = await ok<ExampleRowPage>('annotate.listExamples', { datasetId, spanSource: 'silver', limit: 2 });
    expect([silver.total, silver.items.length]).toEqual([3, 2]);
  });

  it('adds spans with exact UTF-16 offsets after emoji and in CJK text; overlapping silver is replaced', async () => {
    const first = await exampleWith('🤦');
    const at = first.text.indexOf('today');
    const added = await ok<ExampleInfo>('annotate.addSpan', {
      exampleId: first.id,
      start: at,
      end: at + 5,
      type: 'DATE',
    });
    const date = added.spans.find((s) => s.type === 'DATE');
    expect(date && added.text.slice(date.start, date.end)).toBe('today');
    expect(date).toMatchObject({ source: 'gold', status: 'accepted' });

    const cjk = await exampleWith('東京');
    const loc = await ok<ExampleInfo>('annotate.addSpan', { exampleId: cjk.id, start: 0, end: 2, type: 'LOC' });
    expect(loc.spans.map((s) => loc.text.slice(s.start, s.end))).toEqual(['東京', 'Acme']);
    // "のAcme支" overlaps the silver "Acme": the gold span replaces it.
    const wider = await ok<ExampleInfo>('annotate.addSpan', { exampleId: cjk.id, start: 2, end: 8, type: 'ORG' });
    expect(wider.spans.map((s) => [wider.text.slice(s.start, s.end), s.source])).toEqual([
      ['東京', 'gold'],
      ['のAcme支', 'gold'],
    ]);
    // Half an emoji is refused with a readable message.
    const emoji = first.text.indexOf('🤦');
    const split = await dispatch('annotate.addSpan', {
      exampleId: first.id,
      start: emoji,
      end: emoji + 1,
      type: 'MISC',
    });
    expect(split).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!split.ok) expect(split.error.message).toMatch(/splits a character/);
  });

  it('labels all occurrences, lists the edit in history with its example, and undoes/redoes it as one', async () => {
    const nothing = await exampleWith('Nothing');
    const labelled = await ok<ExampleInfo>('annotate.addSpan', {
      exampleId: nothing.id,
      start: 0,
      end: 7,
      type: 'MISC',
    });
    expect(labelled.spans).toHaveLength(1);
    // "Shares of Acme" has a silver Acme; the whole-token rule keeps "AcmeCorp" out.
    const all = await ok<LabelAllOutcome>('annotate.labelAll', { datasetId, text: 'Acme', type: 'ORG' });
    expect(all).toEqual({ added: 0, examples: 0, skipped: 2 });
    const shares = await exampleWith('Shares');
    const silverAcme = shares.spans.find((s) => s.source === 'silver');
    if (silverAcme === undefined) throw new Error('expected a silver span');
    await ok('annotate.removeSpan', { spanId: silverAcme.id });
    const again = await ok<LabelAllOutcome>('annotate.labelAll', { datasetId, text: 'Acme', type: 'ORG' });
    expect(again).toMatchObject({ added: 1, examples: 1 });

    const entries = await ok<HistoryEntry[]>('annotate.history', { projectId, limit: 3 });
    expect(entries.map((e) => e.action)).toEqual(['labelAllOccurrences', 'removeSpan', 'addSpan']);
    expect(entries[0]?.exampleId).toBe(shares.id);
    expect(entries[2]?.exampleId).toBe(nothing.id);

    const undone = await ok<UndoOutcome>('annotate.undo', { projectId });
    expect(undone.entry).toMatchObject({ action: 'labelAllOccurrences', undone: true });
    expect((await exampleWith('Shares')).spans).toHaveLength(0);
    const redone = await ok<UndoOutcome>('annotate.redo', { projectId });
    expect(redone.entry?.undone).toBe(false);
    const back = await exampleWith('Shares');
    expect(back.spans.map((s) => [back.text.slice(s.start, s.end), s.source, s.status])).toEqual([
      ['Acme', 'gold', 'pending'],
    ]);
    expect(await ok<UndoOutcome>('annotate.redo', { projectId })).toEqual({ entry: null });
  });

  it('accepts an example (silver becomes gold, status reviewed) and the status filter follows', async () => {
    const first = await exampleWith('Paris');
    const accepted = await ok<ExampleInfo>('annotate.acceptExample', { exampleId: first.id });
    expect(accepted.status).toBe('reviewed');
    expect(accepted.spans.every((s) => s.source === 'gold' && s.status === 'accepted')).toBe(true);
    const reviewed = await ok<ExampleRowPage>('annotate.listExamples', { datasetId, status: 'reviewed' });
    expect(reviewed.items.map((r) => r.id)).toEqual([first.id]);
    const relabelled = await ok<ExampleInfo>('annotate.setClassLabel', { exampleId: first.id, label: 'World' });
    expect([relabelled.classLabel, relabelled.labelSource]).toEqual(['World', 'gold']);
  });

  it('refuses a second labeler run on the same dataset, and cancels a running one', async () => {
    const slow = createDispatcher(table, {
      emit: (e) => {
        if (e.type === 'annotate.label' && e.progress.kind === 'progress' && e.progress.done === 1) {
          void dispatch('annotate.cancelLabel', { datasetId });
        }
      },
    });
    const [first, second] = await Promise.all([
      slow('annotate.labelDataset', { datasetId, batchSize: 1 }),
      dispatch('annotate.labelDataset', { datasetId }),
    ]);
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(first).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await ok('annotate.cancelLabel', { datasetId })).toEqual({ cancelled: false });
  });

  it('answers bad input and unknown ids with readable errors', async () => {
    expect(await dispatch('annotate.listExamples', { projectId })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await dispatch('annotate.getExample', { exampleId: 99_999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const bio = await dispatch('annotate.relabelSpan', { spanId: 1, type: 'B-PER' });
    expect(bio).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('validates edits and list scopes with the schemas: BIO tags, string ids, one scope', async () => {
    const nothing = await exampleWith('Nothing');
    const bio = await dispatch('annotate.addSpan', { exampleId: nothing.id, start: 0, end: 3, type: 'B-PER' });
    expect(bio).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [expect.stringMatching(/^type/)] },
    });
    // Ids may come as decimal strings (the contract's ids cross JSON); the edit lands on the same example.
    const byString = await ok<ExampleInfo>('annotate.setExampleStatus', {
      exampleId: String(nothing.id),
      status: 'skipped',
    });
    expect([byString.id, byString.status]).toEqual([nothing.id, 'skipped']);
    await ok('annotate.undo', { projectId });
    for (const scope of [{ limit: 5 }, { datasetId, projectId }]) {
      expect(await dispatch('annotate.listExamples', scope)).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', message: expect.stringMatching(/exactly one of datasetId or projectId/) },
      });
    }
  });

  it('previews never end in half a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀tail`;
    expect(previewOf(text, 10)).toBe('a'.repeat(9));
    expect(previewOf(text, 11)).toBe(`${'a'.repeat(9)}😀`);
    expect(previewOf('short', 10)).toBe('short');
  });
});
