import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../testing';
import { recordEdit, redoNext, undoLast } from './annotationLog';
import { insertImportingDataset, markDatasetReady } from './datasets';
import { getExample, insertExample, setModelClass, snapshotFields } from './examples';
import { insertProject } from './projects';

let t: TempDb;
let projectId: number;
let ids: number[];
beforeEach(() => {
  t = tempDb();
  projectId = insertProject(t.db, 'p', '').id;
  const datasetId = insertImportingDataset(t.db, {
    projectId,
    name: 'd',
    sourcePath: '/nowhere.jsonl',
    sha256: 'x',
    format: 'jsonl',
    mappingJson: '{}',
    optionsJson: '{}',
  }).id;
  ids = [
    insertExample(t.db, datasetId, 1, 'one', 'Sports', 'train'),
    insertExample(t.db, datasetId, 2, 'two', null, 'dev'),
  ];
  markDatasetReady(t.db, datasetId, 'jsonl');
});
afterEach(() => t.cleanup());

const modelFields = (id: number): unknown => {
  const e = getExample(t.db, id);
  return { modelLabel: e.modelLabel, modelConfidence: e.modelConfidence, modelAt: e.modelAt };
};

describe('model class fields as an undoable edit', () => {
  it('snapshots only the fields a patch names, model fields included', () => {
    setModelClass(t.db, ids[0]!, 'Business', 0.25, '2026-01-01T00:00:00.000Z');
    const e = getExample(t.db, ids[0]!);
    expect(snapshotFields(e, { modelLabel: 'x', modelAt: 'y', status: 'reviewed' })).toEqual({
      modelLabel: 'Business',
      modelAt: '2026-01-01T00:00:00.000Z',
      status: 'pending',
    });
  });

  it('undo restores the earlier prediction (or none) and redo re-applies the new one', () => {
    setModelClass(t.db, ids[0]!, 'Business', 0.25, '2026-01-01T00:00:00.000Z');
    const before = ids.map(modelFields);
    const after = { modelLabel: 'Sports', modelConfidence: 0.75, modelAt: '2026-02-02T00:00:00.000Z' };
    recordEdit(t.db, projectId, 'preannotate', 'two examples', (rec) => {
      for (const id of ids) rec.updateExample(id, after);
    });
    expect(ids.map(modelFields)).toEqual([after, after]);
    undoLast(t.db, projectId);
    expect(ids.map(modelFields)).toEqual(before);
    expect(modelFields(ids[1]!)).toEqual({ modelLabel: null, modelConfidence: null, modelAt: null });
    redoNext(t.db, projectId);
    expect(ids.map(modelFields)).toEqual([after, after]);
    // The person's label is not part of the patch, so neither direction touches it.
    expect(getExample(t.db, ids[0]!).classLabel).toBe('Sports');
  });
});
