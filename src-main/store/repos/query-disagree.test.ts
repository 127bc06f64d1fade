import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../testing';
import type { SpanSource, SpanStatus } from '../types';
import { insertImportingDataset, markDatasetReady } from './datasets';
import { insertExample, setModelClass } from './examples';
import { insertProject } from './projects';
import { datasetStats, queryExamples } from './query';
import { insertSpan } from './spans';

// The "model disagrees" rule that services/preannotate writes for: a model span agrees only with an equal
// (offsets and type) non-model span; rejected spans count on neither side; unpredicted examples never disagree.
let t: TempDb;
let datasetId: number;
beforeEach(() => {
  t = tempDb();
  const projectId = insertProject(t.db, 'p', '').id;
  datasetId = insertImportingDataset(t.db, {
    projectId,
    name: 'd',
    sourcePath: '/nowhere.jsonl',
    sha256: 'x',
    format: 'jsonl',
    mappingJson: '{}',
    optionsJson: '{}',
  }).id;
  markDatasetReady(t.db, datasetId, 'jsonl');
});
afterEach(() => t.cleanup());

let line = 0;
type S = readonly [start: number, end: number, type: string, source: SpanSource, status: SpanStatus];
/** An example labelled `Sports`, predicted `modelLabel` (unless null: never predicted), with the given spans. */
function example(modelLabel: string | null, spans: readonly S[]): number {
  const id = insertExample(t.db, datasetId, ++line, 'John Smith lives in Paris.', 'Sports', 'train');
  if (modelLabel !== null) setModelClass(t.db, id, modelLabel, 0.9, '2026-01-01T00:00:00.000Z');
  for (const [start, end, type, source, status] of spans)
    insertSpan(t.db, { exampleId: id, start, end, type, source, status });
  return id;
}

const GOLD: S = [0, 10, 'PER', 'gold', 'accepted'];
const TWIN: S = [0, 10, 'PER', 'model', 'pending'];

describe('modelDisagrees', () => {
  it('lists exactly the examples where the stored predictions differ from the labels', () => {
    const agree = {
      twin: example('Sports', [GOLD, TWIN]),
      pendingGoldTwin: example('Sports', [[0, 10, 'PER', 'gold', 'pending'], TWIN]),
      rejectedOnBothSides: example('Sports', [
        [20, 25, 'LOC', 'silver', 'rejected'],
        [20, 25, 'LOC', 'model', 'rejected'],
      ]),
      nothing: example('Sports', []),
      neverPredicted: example(null, [GOLD]),
    };
    const disagree = {
      otherClass: example('Business', [GOLD, TWIN]),
      goldWithoutTwin: example('Sports', [GOLD]),
      otherRange: example('Sports', [GOLD, [0, 4, 'PER', 'model', 'pending']]),
      otherType: example('Sports', [GOLD, [0, 10, 'ORG', 'model', 'pending']]),
      extraModelSpan: example('Sports', [GOLD, TWIN, [20, 25, 'LOC', 'model', 'pending']]),
      twinOfRejected: example('Sports', [[0, 10, 'PER', 'gold', 'rejected'], TWIN]),
    };
    const listed = (modelDisagrees: boolean): number[] =>
      queryExamples(t.db, { datasetId, modelDisagrees }, 'line', 0, 100).items.map((e) => e.id);
    expect(listed(true)).toEqual(Object.values(disagree));
    expect(listed(false)).toEqual(Object.values(agree));
    expect(datasetStats(t.db, { datasetId }).modelDisagrees).toBe(Object.keys(disagree).length);
  });
});
