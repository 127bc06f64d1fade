import { afterEach, describe, expect, it } from 'vitest';
import { IGNORE } from '../../engine/trainer';
import { createRun, getMetrics, getRun, updateRunStatus } from '../../store/repos/runs';
import { deleteDatasetKeepingRuns } from '../datasets/admin';
import { createProject, CreateProjectInput } from '../projects';
import { importDataset, ImportDatasetInput } from '../datasets';
import { writeJsonl } from '../datasets/testing';
import { runDataOf } from '../runs/info';
import { prepareRequest } from './launch';
import { trainingPlan } from './plan';
import { runSources } from './run-info';
import { recordSources } from './sources';
import { taskSources } from './sources';
import { runTraining } from './start';
import { labelledRows, quickRequest, trainFixture, type TrainFixture } from './testing';

let f: TrainFixture | undefined;
afterEach(() => f?.cleanup());

describe('taskSources', () => {
  it("reads both tasks from the dataset's own splits unless told otherwise, as the CLI's flags do", () => {
    expect(taskSources({ datasetId: 1 })).toEqual({
      classification: { train: { datasetId: 1, split: 'train' }, dev: { datasetId: 1, split: 'dev' } },
      ner: { train: { datasetId: 1, split: 'train' }, dev: { datasetId: 1, split: 'dev' } },
    });
    // --ner-train B: NER's dev is B's dev split.
    expect(taskSources({ datasetId: 1, nerDatasetId: 2 }).ner).toEqual({
      train: { datasetId: 2, split: 'train' },
      dev: { datasetId: 2, split: 'dev' },
    });
    // A dev dataset serves both tasks when NER comes from the main dataset...
    expect(taskSources({ datasetId: 1, devDatasetId: 3 }).ner.dev).toEqual({ datasetId: 3, split: null });
    // ...and only classification when NER has its own dataset; --ner-dev names NER's.
    const split = taskSources({ datasetId: 1, devDatasetId: 3, nerDatasetId: 2, nerDevDatasetId: 4 });
    expect([split.classification.dev, split.ner.dev]).toEqual([
      { datasetId: 3, split: null },
      { datasetId: 4, split: null },
    ]);
  });
});

/** Imports rows into the fixture's project with every example in one split; returns the dataset id. */
async function addDataset(
  fx: TrainFixture,
  name: string,
  rows: readonly { text: string; label?: string; spans?: readonly { start: number; end: number; label: string }[] }[],
  split: 'train' | 'dev' | 'stratified',
): Promise<number> {
  const path = writeJsonl(fx.dir, `${name}.jsonl`, rows);
  const policy =
    split === 'stratified' ? { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 1 } : { mode: 'fixed', split };
  const s = await importDataset(
    fx.db,
    ImportDatasetInput.parse({ projectId: fx.projectId, path, name, split: policy }),
  );
  return s.datasetId;
}

const classesOnly = (n: number, from = 0) =>
  labelledRows(n + from)
    .slice(from)
    .map(({ text, label }) => ({ text, label }));
const spansOnly = (n: number, from = 0) =>
  labelledRows(n + from)
    .slice(from)
    .map(({ text, spans }) => ({ text: `${text} (ner)`, spans }));

describe('training with one dataset per task', () => {
  it('plans classification from A and NER from B, each with its own dev data, and says which', async () => {
    f = await trainFixture(classesOnly(24), { name: 'topics' });
    const ner = await addDataset(f, 'entities', spansOnly(16), 'stratified');
    const request = quickRequest(f, { nerDatasetId: ner });
    const plan = trainingPlan(f.db, request);
    expect(plan.refusals).toEqual([]);
    expect(plan.tasks).toEqual({ classification: true, ner: true });
    expect(plan.entityTypes).toEqual(['LOC', 'ORG', 'PER']);
    const { classification: c, ner: n } = plan.sources;
    expect([c.train.datasetName, c.train.split, c.dev.split, n.train.datasetName, n.dev.split]).toEqual([
      'topics',
      'train',
      'dev',
      'entities',
      'dev',
    ]);
    expect(plan.counts.train).toBe(c.train.examples + n.train.examples);
    expect(plan.counts.dev).toBe(c.dev.examples + n.dev.examples);
    expect(Object.values(plan.counts.trainByClass).reduce((a, b) => a + b, 0)).toBe(c.train.examples);

    // Classification examples teach classes only; NER examples entities only.
    const prepared = await prepareRequest(f.db, request);
    const train = prepared.train.examples;
    expect(train).toHaveLength(c.train.examples + n.train.examples);
    const cls = train.slice(0, c.train.examples);
    const ents = train.slice(c.train.examples);
    expect(cls.every((e) => e.classLabel !== IGNORE && e.nerLabels === undefined)).toBe(true);
    expect(ents.every((e) => e.classLabel === IGNORE && e.nerLabels !== undefined)).toBe(true);
  });

  it('evaluates on a whole other dataset when told, and refuses with the source named when dev is empty', async () => {
    f = await trainFixture(labelledRows(24), { name: 'train-file', split: { mode: 'fixed', split: 'train' } });
    const refused = trainingPlan(f.db, quickRequest(f));
    expect(refused.refusals.join('\n')).toMatch(
      /"train-file" \(dev split\) has no examples to evaluate classes on; re-split it with a dev share, or choose a dev dataset/,
    );
    const dev = await addDataset(f, 'dev-file', labelledRows(32).slice(24), 'train');
    const plan = trainingPlan(f.db, quickRequest(f, { devDatasetId: dev }));
    expect(plan.refusals).toEqual([]);
    expect(plan.sources.classification.dev).toMatchObject({ datasetName: 'dev-file', split: null, examples: 8 });
    expect(plan.sources.ner.dev).toMatchObject({ datasetName: 'dev-file', split: null });
    expect(plan.counts).toMatchObject({ train: 24, dev: 8 });
  });

  it('refuses a NER dataset without spans, and a dataset of another project', async () => {
    f = await trainFixture(classesOnly(24), { name: 'topics' });
    const noSpans = await addDataset(f, 'plain', classesOnly(8, 24), 'stratified');
    expect(trainingPlan(f.db, quickRequest(f, { nerDatasetId: noSpans })).refusals.join('\n')).toMatch(
      /"plain" \(train split\), chosen for entities, has no entity spans/,
    );
    const other = createProject(f.db, CreateProjectInput.parse({ name: 'Elsewhere' }));
    const path = writeJsonl(f.dir, 'elsewhere.jsonl', spansOnly(8));
    const foreign = await importDataset(f.db, ImportDatasetInput.parse({ projectId: other.id, path }));
    expect(() => trainingPlan(f!.db, quickRequest(f!, { nerDatasetId: foreign.datasetId }))).toThrow(
      /Dataset "elsewhere.jsonl" belongs to another project/,
    );
  });

  it('trains both heads from two datasets, records the sources on the run and evaluates each task', async () => {
    f = await trainFixture(classesOnly(24), { name: 'topics' });
    const ner = await addDataset(f, 'entities', spansOnly(16), 'stratified');
    const outcome = await runTraining(f.db, quickRequest(f, { nerDatasetId: ner }));
    expect(outcome.run.status).toBe('completed');
    const data = runDataOf(f.db, [outcome.run.id]).get(outcome.run.id) ?? [];
    expect(data.map((d) => `${d.role}:${d.datasetName}:${d.split}`)).toEqual([
      'classification-dev:topics:dev',
      'classification-train:topics:train',
      'ner-dev:entities:dev',
      'ner-train:entities:train',
    ]);
    expect(getMetrics(f.db, outcome.run.id, 'classification.accuracy')).toHaveLength(2);
    expect(getMetrics(f.db, outcome.run.id, 'ner.f1')).toHaveLength(2);
    expect(runSources(f.db, getRun(f.db, outcome.run.id)).ner.train).toEqual({ datasetId: ner, split: 'train' });
  });

  it("refuses to read a run's data once one of its datasets is deleted, naming it (ids may be reused)", async () => {
    f = await trainFixture(classesOnly(24), { name: 'topics' });
    const ner = await addDataset(f, 'entities', spansOnly(16), 'stratified');
    const request = quickRequest(f, { nerDatasetId: ner });
    const run = createRun(f.db, {
      projectId: f.projectId,
      name: 'two sources',
      config: { request, datasetId: f.datasetId },
      preset: 'full',
      modelPath: f.modelDir,
      dataHash: 'b'.repeat(64),
      deviceRequested: 'cpu',
    });
    recordSources(f.db, run.id, taskSources(request), { classification: true, ner: true });
    expect(runSources(f.db, run).ner.train.datasetId).toBe(ner);
    updateRunStatus(f.db, run.id, { status: 'running' });
    updateRunStatus(f.db, run.id, { status: 'completed' });
    deleteDatasetKeepingRuns(f.db, ner);
    // A new dataset may take the deleted one's id; the run must not read it as its own.
    expect(await addDataset(f, 'newcomer', spansOnly(8, 16), 'stratified')).toBe(ner);
    expect(() => runSources(f!.db, run)).toThrow(
      'Run "two sources" used the dataset "entities", which has been deleted, so its examples are gone; start a new run on a dataset that exists.',
    );
  });
});
