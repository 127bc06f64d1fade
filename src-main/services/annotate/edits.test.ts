import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import { integrityCheck } from '../../store/db';
import { NotFoundError } from '../../store/errors';
import { projectWithRows } from '../datasets/testing';
import { getExample, listExamples, ListExamplesInput } from '../datasets/examples';
import {
  acceptExample,
  acceptSpan,
  addSpan,
  rejectSpan,
  relabelSpan,
  removeSpan,
  setClassLabel,
  setExampleStatus,
} from './edits';
import { history, redo, undo } from './history';
import { labelAllOccurrences } from './labelAll';
import { applyModelPredictions } from './model';
import { labelDataset } from './label';
import { ApplyModelPredictionsInput, LabelDatasetInput, ProjectHistoryInput } from './schemas';
import type { ExampleWithSpans } from '../../store/types';

let t: TempDb;
let projectId: number;
let datasetId: number;
const texts = ['Acme hires Bob in Paris', 'Acmeville is not Acme', 'Bob 🤦🏼‍♂️ Acme', 'Nothing to see'];
beforeEach(async () => {
  t = tempDb();
  const r = await projectWithRows(
    t.db,
    t.dir,
    texts.map((text, i) => ({ text, label: i % 2 === 0 ? 'Business' : 'World' })),
    {
      split: { mode: 'fixed', split: 'train' },
    },
  );
  projectId = r.projectId;
  datasetId = r.summary.datasetId;
});
afterEach(() => {
  expect(integrityCheck(t.db)).toEqual(['ok']);
  t.cleanup();
});

function example(i: number): ExampleWithSpans {
  return listExamples(t.db, ListExamplesInput.parse({ datasetId, limit: 10 })).items[i];
}
const shape = (e: ExampleWithSpans) =>
  e.spans.map((s) => `${e.text.slice(s.start, s.end)}/${s.type}/${s.source}/${s.status}`);
function silver(exampleId: number, start: number, end: number, type: string): void {
  t.db
    .prepare(
      `INSERT INTO spans (example_id, char_start, char_end, type, source, status, labeler, created_at) VALUES (?, ?, ?, ?, 'silver', 'pending', 'test', 'now')`,
    )
    .run(exampleId, start, end, type);
}

describe('span edits and undo', () => {
  it('addSpan replaces overlapping silver/gold spans, keeps model spans, and undo/redo round-trip', () => {
    const e = example(0);
    silver(e.id, 0, 4, 'ORG'); // "Acme"
    silver(e.id, 11, 14, 'PER'); // "Bob"
    applyModelPredictions(
      t.db,
      ApplyModelPredictionsInput.parse({
        labeler: 'run:1',
        predictions: [{ exampleId: e.id, spans: [{ start: 0, end: 10, type: 'ORG' }] }],
      }),
    );
    const before = shape(example(0));
    const after = addSpan(t.db, { exampleId: e.id, start: 0, end: 10, type: 'MISC' }); // "Acme hires"
    expect(shape(after)).toEqual([
      'Acme hires/ORG/model/pending',
      'Acme hires/MISC/gold/accepted',
      'Bob/PER/silver/pending',
    ]);
    expect(undo(t.db, { projectId }).entry).toMatchObject({ action: 'addSpan', undone: true });
    expect(shape(example(0))).toEqual(before);
    redo(t.db, { projectId });
    expect(shape(example(0))).toEqual(shape(after));
  });

  // The schema's checks (BIO tags as types, ids given as strings) are tested in methods.test.ts.
  it('refuses offsets outside the text or inside a surrogate pair, naming the offsets', () => {
    const e = example(2); // 'Bob 🤦🏼‍♂️ Acme'
    expect(() => addSpan(t.db, { exampleId: e.id, start: 0, end: 99, type: 'PER' })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/\[0, 99\)/) }),
    );
    expect(() => addSpan(t.db, { exampleId: e.id, start: 5, end: 7, type: 'PER' })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const acme = e.text.indexOf('Acme');
    const ok = addSpan(t.db, { exampleId: e.id, start: acme, end: acme + 4, type: 'ORG' });
    expect(shape(ok)).toEqual(['Acme/ORG/gold/accepted']);
  });

  it('acceptExample turns pending silver into accepted gold and marks the example reviewed; undo reverts it all', () => {
    const e = example(0);
    silver(e.id, 0, 4, 'ORG');
    silver(e.id, 18, 23, 'LOC');
    const accepted = acceptExample(t.db, { exampleId: e.id });
    expect(accepted.status).toBe('reviewed');
    expect(accepted.reviewedAt).not.toBeNull();
    expect(shape(accepted)).toEqual(['Acme/ORG/gold/accepted', 'Paris/LOC/gold/accepted']);
    undo(t.db, { projectId });
    const back = example(0);
    expect(back.status).toBe('pending');
    expect(back.reviewedAt).toBeNull();
    expect(shape(back)).toEqual(['Acme/ORG/silver/pending', 'Paris/LOC/silver/pending']);
  });

  it('rejects, relabels, accepts and removes single spans; a relabelled model span is copied to gold', () => {
    const e = example(0);
    silver(e.id, 0, 4, 'PER');
    silver(e.id, 11, 14, 'PER');
    applyModelPredictions(
      t.db,
      ApplyModelPredictionsInput.parse({
        labeler: 'run:1',
        predictions: [{ exampleId: e.id, spans: [{ start: 18, end: 23, type: 'ORG', confidence: 0.4 }] }],
      }),
    );
    const [acme, bob, paris] = example(0).spans;
    relabelSpan(t.db, { spanId: acme.id, type: 'ORG' });
    rejectSpan(t.db, { spanId: bob.id });
    relabelSpan(t.db, { spanId: paris.id, type: 'LOC' });
    expect(shape(example(0))).toEqual([
      'Acme/ORG/gold/accepted',
      'Bob/PER/silver/rejected',
      'Paris/ORG/model/pending',
      'Paris/LOC/gold/accepted',
    ]);
    acceptSpan(t.db, { spanId: bob.id });
    removeSpan(t.db, { spanId: acme.id });
    expect(shape(example(0))).toEqual(['Bob/PER/gold/accepted', 'Paris/ORG/model/pending', 'Paris/LOC/gold/accepted']);
    expect(history(t.db, ProjectHistoryInput.parse({ projectId })).map((h) => h.action)).toEqual([
      'removeSpan',
      'acceptSpan',
      'relabelSpan',
      'rejectSpan',
      'relabelSpan',
    ]);
    expect(() => removeSpan(t.db, { spanId: acme.id })).toThrow(NotFoundError);
  });

  it('sets class labels and statuses, undoably', () => {
    const e = example(1);
    expect(setClassLabel(t.db, { exampleId: e.id, label: 'Sports' })).toMatchObject({
      classLabel: 'Sports',
      labelSource: 'gold',
    });
    expect(setExampleStatus(t.db, { exampleId: e.id, status: 'skipped' }).status).toBe('skipped');
    undo(t.db, { projectId });
    undo(t.db, { projectId });
    expect(getExample(t.db, { exampleId: e.id })).toMatchObject({ classLabel: 'World', status: 'pending' });
  });

  it('keeps at least 20 edits of history, and a new edit clears the redo stack', () => {
    const e = example(3); // 'Nothing to see'
    const initial = shape(example(3));
    for (let i = 0; i < 25; i++) addSpan(t.db, { exampleId: e.id, start: i % 7, end: (i % 7) + 1, type: `T${i}` });
    for (let i = 0; i < 25; i++) expect(undo(t.db, { projectId }).entry).not.toBeNull();
    expect(shape(example(3))).toEqual(initial);
    expect(undo(t.db, { projectId }).entry).toBeNull();
    redo(t.db, { projectId });
    redo(t.db, { projectId });
    expect(shape(example(3))).toEqual(['N/T0/gold/accepted', 'o/T1/gold/accepted']);
    addSpan(t.db, { exampleId: e.id, start: 8, end: 14, type: 'X' });
    expect(redo(t.db, { projectId }).entry).toBeNull();
    expect(shape(example(3))).toEqual(['N/T0/gold/accepted', 'o/T1/gold/accepted', 'to see/X/gold/accepted']);
  });

  it('prunes history beyond 200 edits', () => {
    const e = example(3);
    for (let i = 0; i < 205; i++) setClassLabel(t.db, { exampleId: e.id, label: `L${i}` });
    let undone = 0;
    while (undo(t.db, { projectId }).entry !== null) undone++;
    expect(undone).toBe(200);
    expect(example(3).classLabel).toBe('L4'); // the 5 oldest edits can no longer be undone
  });

  it('refuses, without changing anything, to redo an edit whose spans were changed outside the history', async () => {
    const e = example(0);
    silver(e.id, 0, 4, 'ORG');
    acceptExample(t.db, { exampleId: e.id });
    undo(t.db, { projectId });
    // Re-labelling replaces the pending silver span that the undone accept had promoted.
    const labeler = {
      id: 'gaz@1',
      types: ['ORG'],
      label: (text: string) =>
        text.startsWith('Acme') ? [{ start: 0, end: 4, type: 'ORG', source: 'silver' as const, labeler: 'gaz@1' }] : [],
    };
    await labelDataset(t.db, LabelDatasetInput.parse({ datasetId }), { labeler });
    const before = shape(example(0));
    // A ConstraintError: the dispatcher reports it as conflict.
    expect(() => redo(t.db, { projectId })).toThrow(
      expect.objectContaining({
        name: 'ConstraintError',
        message: expect.stringMatching(/Cannot redo .*re-running the silver labeler/),
      }),
    );
    expect(shape(example(0))).toEqual(before);
    expect(example(0).status).toBe('pending');
  });

  it('keeps one undo history per project', async () => {
    const other = await projectWithRows(t.db, t.dir, [{ text: 'Other Acme' }]);
    const [oe] = listExamples(t.db, ListExamplesInput.parse({ projectId: other.projectId })).items;
    addSpan(t.db, { exampleId: example(0).id, start: 0, end: 4, type: 'ORG' });
    addSpan(t.db, { exampleId: oe.id, start: 6, end: 10, type: 'ORG' });
    expect(undo(t.db, { projectId }).entry?.summary).toBe('ORG "Acme"');
    expect(example(0).spans).toEqual([]);
    expect(getExample(t.db, { exampleId: oe.id }).spans).toHaveLength(1);
  });
});

describe('labelAllOccurrences', () => {
  it('adds pending spans on whole-token matches only, skips covered ones, and one undo removes them all', () => {
    silver(example(0).id, 0, 10, 'MISC'); // covers "Acme" in example 0
    const r = labelAllOccurrences(t.db, { datasetId, text: 'Acme', type: 'ORG' });
    // example 1: "Acmeville" is no whole token, the last "Acme" is; example 2: "Acme" after the emoji.
    expect(r).toEqual({ added: 2, examples: 2, skipped: 1 });
    expect(shape(example(1))).toEqual(['Acme/ORG/gold/pending']);
    expect(example(1).spans[0].start).toBe(17);
    expect(shape(example(2))).toEqual(['Acme/ORG/gold/pending']);
    undo(t.db, { projectId });
    expect(example(1).spans).toEqual([]);
    expect(example(2).spans).toEqual([]);
    expect(shape(example(0))).toEqual(['Acme hires/MISC/silver/pending']);
  });

  it('does not re-add a span a person rejected', () => {
    const e = example(1);
    silver(e.id, 17, 21, 'ORG');
    rejectSpan(t.db, { spanId: example(1).spans[0].id });
    expect(labelAllOccurrences(t.db, { datasetId, text: 'Acme', type: 'ORG' }).added).toBe(2);
    expect(shape(example(1))).toEqual(['Acme/ORG/silver/rejected']);
  });
});
