import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../../store/testing';
import { insertImportingDataset } from '../../store/repos/datasets';
import { NotFoundError } from '../../store/errors';
import { projectWithRows } from './testing';
import { datasetStats, listExamples, ListExamplesInput } from './examples';
import {
  deleteDataset,
  discardIncompleteImports,
  getDataset,
  listDatasets,
  listIncompleteImports,
  resplitDataset,
} from './manage';

let t: TempDb;
let projectId: number;
let datasetId: number;
beforeEach(async () => {
  t = tempDb();
  const rows = Array.from({ length: 40 }, (_, i) => ({
    text: `row ${i}`,
    label: i % 2 ? 'odd' : 'even',
    spans: [{ start: 0, end: 3, label: 'X' }],
  }));
  const r = await projectWithRows(t.db, t.dir, rows);
  projectId = r.projectId;
  datasetId = r.summary.datasetId;
});
afterEach(() => t.cleanup());

const splits = () => listExamples(t.db, ListExamplesInput.parse({ datasetId, limit: 100 })).items.map((e) => e.split);

describe('dataset management', () => {
  it('keeps unfinished imports out of listings until discarded', () => {
    const partial = insertImportingDataset(t.db, {
      projectId,
      name: 'half',
      sourcePath: '/x.csv',
      sha256: 'c'.repeat(64),
      format: 'csv',
      mappingJson: '{}',
      optionsJson: '{}',
    });
    expect(listDatasets(t.db, { projectId }).map((d) => d.id)).toEqual([datasetId]);
    expect(getDataset(t.db, { datasetId: partial.id }).status).toBe('importing');
    expect(() => resplitDataset(t.db, { datasetId: partial.id, split: { mode: 'fixed', split: 'dev' } })).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
    expect(discardIncompleteImports(t.db, { projectId })).toEqual([partial.id]);
    expect(listIncompleteImports(t.db, { projectId })).toEqual([]);
  });

  it('re-splits reproducibly with a seed, or all into one split', () => {
    const policy = { mode: 'stratified' as const, train: 1, dev: 1, test: 0, seed: 9 };
    resplitDataset(t.db, { datasetId, split: policy });
    const first = splits();
    expect(datasetStats(t.db, { datasetId }).byClass.odd).toEqual({ train: 10, dev: 10 });
    resplitDataset(t.db, { datasetId, split: { ...policy, seed: 10 } });
    expect(splits()).not.toEqual(first);
    resplitDataset(t.db, { datasetId, split: policy });
    expect(splits()).toEqual(first);
    resplitDataset(t.db, { datasetId, split: { mode: 'fixed', split: 'test' } });
    expect(new Set(splits())).toEqual(new Set(['test']));
  });

  it('deletes a dataset with its examples and spans', () => {
    deleteDataset(t.db, { datasetId });
    expect(t.db.prepare('SELECT (SELECT count(*) FROM examples) + (SELECT count(*) FROM spans) AS n').get()).toEqual({
      n: 0,
    });
    expect(() => deleteDataset(t.db, { datasetId })).toThrow(NotFoundError);
  });
});
