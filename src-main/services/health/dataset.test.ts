import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import { getExample } from '../../store/repos/examples';
import { tempDb, type TempDb } from '../../store/testing';
import { setClassLabel } from '../annotate';
import { undo } from '../annotate/history';
import { projectWithRows } from '../datasets/testing';
import { acceptFinding, checkDataset, CheckDatasetInput, latestDatasetHealth } from './dataset';

let t: TempDb;
let projectId: number;
let datasetId: number;
let modelDir: string;
const texts = [
  'the market rose today as oil prices fell',
  'police said the city was quiet after the game',
  'The market rose today, as oil prices fell!',
  'the team won the season opener at home',
];

beforeEach(async () => {
  t = tempDb();
  modelDir = join(t.dir, 'bert');
  writeTinyBert(modelDir, { maxPositions: 64, seed: 3 });
  const r = await projectWithRows(
    t.db,
    t.dir,
    texts.map((text, i) => ({ text, label: i === 2 ? 'b' : 'a' })),
    { split: { mode: 'fixed', split: 'train' }, keepDuplicates: true },
  );
  projectId = r.projectId;
  datasetId = r.summary.datasetId;
});
afterEach(() => t.cleanup());

const ids = (): number[] =>
  t.db
    .prepare<[number], { id: number }>('SELECT id FROM examples WHERE dataset_id = ? ORDER BY line')
    .all(datasetId)
    .map((r) => r.id);

describe('dataset health in the store', () => {
  it('stores the report with the dataset version and marks it stale after an edit', async () => {
    expect(latestDatasetHealth(t.db, { datasetId })).toBeNull();
    const input = CheckDatasetInput.parse({ datasetId, modelDir, maxLength: 32, threads: 1 });
    const done = await checkDataset(t.db, input);
    const [a, , c] = ids();
    expect(done.report.exactDuplicates).toEqual([{ lines: [a, c], labels: ['a', 'b'] }]);
    const latest = latestDatasetHealth(t.db, { datasetId })!;
    expect(latest.id).toBe(done.id);
    expect(latest.stale).toBe(false);
    expect(latest.report.labelConflicts).toContainEqual(expect.objectContaining({ kind: 'exact', lines: [a, c] }));
    setClassLabel(t.db, { exampleId: c!, label: 'a' });
    expect(latestDatasetHealth(t.db, { datasetId })!.stale).toBe(true);
  });

  it('accepts a relabel and a drop as undoable edits', () => {
    const [a, b] = ids();
    acceptFinding(t.db, { action: 'relabel', exampleId: a!, label: 'z' });
    expect(getExample(t.db, a!).classLabel).toBe('z');
    acceptFinding(t.db, { action: 'drop', exampleId: b! });
    expect(getExample(t.db, b!)).toMatchObject({ split: null, status: 'skipped' });
    undo(t.db, { projectId });
    expect(getExample(t.db, b!)).toMatchObject({ split: 'train', status: 'pending' });
    undo(t.db, { projectId });
    expect(getExample(t.db, a!).classLabel).toBe('a');
  });
});
