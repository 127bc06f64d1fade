import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db';
import { MIGRATIONS } from '../../store/migrations';
import { createRun, updateRunStatus } from '../../store/repos/runs';
import { recordRunDatasets } from '../../store/repos/run-datasets';
import { tempDb, type TempDb } from '../../store/testing';
import { createProject, listProjects } from '../projects';
import { listRuns } from '../runs';
import { runDataOf } from '../runs/info';
import { projectWithRows } from './testing';
import {
  deleteDatasetKeepingRuns,
  deleteProjectChecked,
  moveExamples,
  MoveExamplesInput,
  renameDataset,
  renameProject,
  resplitWithReport,
  ResplitWithReportInput,
} from './admin';
import { listExamples, ListExamplesInput } from './examples';
import { importDataset } from './import';
import { listDatasets } from './manage';
import { ImportDatasetInput } from './schemas';

let t: TempDb;
let projectId: number;
let datasetId: number;
// 20 "common" rows and a single "rare" one: a stratified split cannot give "rare" a dev example.
const ROWS = [
  ...Array.from({ length: 20 }, (_, i) => ({ text: `common ${i}`, label: 'common' })),
  { text: 'only one of these', label: 'rare' },
];
beforeEach(async () => {
  t = tempDb();
  const r = await projectWithRows(t.db, t.dir, ROWS, { name: 'news' });
  projectId = r.projectId;
  datasetId = r.summary.datasetId;
});
afterEach(() => t.cleanup());

/** A run that used the dataset for classification, in the given status. */
function runOn(name: string, status: 'queued' | 'running' | 'completed'): number {
  const run = createRun(t.db, {
    projectId,
    name,
    config: { datasetId },
    preset: 'full',
    modelPath: '/m',
    dataHash: 'a'.repeat(64),
    deviceRequested: 'cpu',
  });
  recordRunDatasets(t.db, run.id, [
    { role: 'classification-train', datasetId, split: 'train' },
    { role: 'classification-dev', datasetId, split: 'dev' },
  ]);
  if (status !== 'queued') updateRunStatus(t.db, run.id, { status: 'running' });
  if (status === 'completed') updateRunStatus(t.db, run.id, { status: 'completed' });
  return run.id;
}

describe('rename and delete', () => {
  it('renames a dataset (unique in its project) and the runs that used it show the new name', () => {
    const runId = runOn('first run', 'completed');
    expect(renameDataset(t.db, { datasetId, name: 'headlines' }).name).toBe('headlines');
    expect(runDataOf(t.db, [runId]).get(runId)?.[0]).toMatchObject({ datasetName: 'headlines', datasetId });
    const other = writeRows('other.jsonl', [{ text: 'x', label: 'a' }]);
    return importDataset(t.db, ImportDatasetInput.parse({ projectId, path: other })).then((s) => {
      expect(() => renameDataset(t.db, { datasetId: s.datasetId, name: 'headlines' })).toThrow(
        /already has a dataset named "headlines"/,
      );
    });
  });

  it('refuses to delete a dataset a queued or running training uses, naming the run', () => {
    const runId = runOn('Heads only on news', 'running');
    expect(() => deleteDatasetKeepingRuns(t.db, datasetId)).toThrow(
      expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/"Heads only on news" \(running\)/) }),
    );
    expect(listDatasets(t.db, { projectId })).toHaveLength(1);
    updateRunStatus(t.db, runId, { status: 'completed' });
    expect(deleteDatasetKeepingRuns(t.db, datasetId)).toEqual({ deleted: datasetId, runsMarked: 2 });
    expect(listDatasets(t.db, { projectId })).toHaveLength(0);
    // The run stays, marked: its roles keep the name, with no id and the time of deletion.
    const data = runDataOf(t.db, [runId]).get(runId) ?? [];
    expect(data.map((d) => [d.role, d.datasetId, d.datasetName])).toEqual([
      ['classification-dev', null, 'news'],
      ['classification-train', null, 'news'],
    ]);
    expect(data.every((d) => d.deletedAt !== null)).toBe(true);
  });

  it('renames projects (unique) and refuses to delete one while its training runs', () => {
    expect(renameProject(t.db, { projectId, name: 'Renamed' }).name).toBe('Renamed');
    const runId = runOn('busy', 'queued');
    expect(() => deleteProjectChecked(t.db, projectId)).toThrow(/training in progress \("busy"\)/);
    updateRunStatus(t.db, runId, { status: 'cancelled' });
    expect(deleteProjectChecked(t.db, projectId)).toEqual({ deleted: projectId, runsKept: 1 });
    // The run stays, marked as using a deleted dataset, under a hidden, renamed project; the name is free again.
    expect(listProjects(t.db).map((p) => p.id)).not.toContain(projectId);
    const kept = listProjects(t.db, { includeDeleted: true }).find((p) => p.id === projectId)!;
    expect(kept.name).toMatch(/^Renamed \(deleted \d{4}-\d\d-\d\d, #\d+\)$/);
    expect(kept.deletedAt).not.toBeNull();
    expect(listRuns(t.db, { projectId }).map((r) => r.id)).toEqual([runId]);
    expect(
      runDataOf(t.db, [runId])
        .get(runId)!
        .every((d) => d.datasetId === null),
    ).toBe(true);
    expect(listDatasets(t.db, { projectId })).toHaveLength(0);
    expect(createProject(t.db, { name: 'Renamed', description: '' }).name).toBe('Renamed');
  });

  it('deletes a project without runs outright', () => {
    expect(deleteProjectChecked(t.db, projectId)).toEqual({ deleted: projectId, runsKept: 0 });
    expect(listProjects(t.db, { includeDeleted: true }).map((p) => p.id)).not.toContain(projectId);
  });
});

describe('splits', () => {
  it('re-splits and warns, with the counts, about a class left without dev examples', () => {
    const r = resplitWithReport(
      t.db,
      ResplitWithReportInput.parse({ datasetId, split: { mode: 'stratified', train: 8, dev: 1, test: 1, seed: 3 } }),
    );
    expect(r.counts.train + r.counts.dev + r.counts.test).toBe(21);
    expect(r.byClass.rare).toEqual({ train: 1, dev: 0, test: 0 });
    expect(r.warnings).toEqual([
      'Class "rare" has no dev examples (train 1, test 0); its accuracy cannot be measured and training will refuse to start.',
    ]);
    const all = resplitWithReport(
      t.db,
      ResplitWithReportInput.parse({ datasetId, split: { mode: 'fixed', split: 'train' } }),
    );
    expect(all.counts).toEqual({ train: 21, dev: 0, test: 0 });
    expect(all.warnings[0]).toMatch(/^No dev examples \(train 21, test 0\)/);
  });

  it('moves chosen examples to a split, and refuses examples of another dataset', async () => {
    resplitWithReport(t.db, ResplitWithReportInput.parse({ datasetId, split: { mode: 'fixed', split: 'train' } }));
    const items = listExamples(t.db, ListExamplesInput.parse({ datasetId, limit: 50 })).items;
    const rare = items.filter((e) => e.classLabel === 'rare').map((e) => e.id);
    const two = items
      .filter((e) => e.classLabel === 'common')
      .slice(0, 2)
      .map((e) => e.id);
    const r = moveExamples(t.db, MoveExamplesInput.parse({ datasetId, exampleIds: [...rare, ...two], split: 'dev' }));
    expect(r.moved).toBe(3);
    expect(r.counts).toEqual({ train: 18, dev: 3, test: 0 });
    // "rare" now has its one example in dev and none in train: nothing to warn about dev.
    expect(r.warnings).toEqual([]);
    const other = await importDataset(
      t.db,
      ImportDatasetInput.parse({ projectId, path: writeRows('o.jsonl', [{ text: 'elsewhere', label: 'a' }]) }),
    );
    const foreign = listExamples(t.db, ListExamplesInput.parse({ datasetId: other.datasetId })).items[0].id;
    expect(() =>
      moveExamples(t.db, MoveExamplesInput.parse({ datasetId, exampleIds: [two[0], foreign], split: 'test' })),
    ).toThrow(/1 of the 2 examples are not in dataset "news"/);
    // Refused as a whole: nothing moved.
    expect(listExamples(t.db, ListExamplesInput.parse({ datasetId, split: 'test' })).total).toBe(0);
  });
});

describe('empty imports', () => {
  it('refuses a file with no data rows, or none that became an example, and keeps no dataset', async () => {
    const headerOnly = join(t.dir, 'empty.csv');
    writeFileSync(headerOnly, 'label,text\n');
    await expect(importDataset(t.db, ImportDatasetInput.parse({ projectId, path: headerOnly }))).rejects.toThrow(
      'empty.csv has no data rows (an empty file, or a header only), so nothing was imported; choose a file with examples.',
    );
    const allBad = join(t.dir, 'bad.csv');
    writeFileSync(allBad, 'label,text\nWorld,\nSports,\n');
    await expect(importDataset(t.db, ImportDatasetInput.parse({ projectId, path: allBad }))).rejects.toThrow(
      /^bad\.csv: none of its 2 rows became an example \(2 skipped \(first: line 2: empty text in column "text"\)\), so no dataset was created/,
    );
    expect(listDatasets(t.db, { projectId }).map((d) => d.id)).toEqual([datasetId]);
  });
});

describe('migration 3', () => {
  it('records the dataset of every earlier run for the tasks it trained', () => {
    const path = join(t.dir, 'old.db');
    const old = openDb(path, { migrations: MIGRATIONS.filter((m) => m.version === 1) });
    old.exec(`INSERT INTO projects (id, name, created_at) VALUES (1, 'p', 'now');
      INSERT INTO datasets (id, project_id, name, source_path, sha256, format, mapping_json, options_json, status, created_at)
        VALUES (7, 1, 'ag', '/a.csv', 'x', 'csv', '{}', '{}', 'ready', 'now');
      INSERT INTO runs (id, project_id, name, config_json, preset, model_path, data_hash, device_requested, status, created_at)
        VALUES (1, 1, 'cls', '{"datasetId":7,"classLabels":["a","b"],"nerTags":[]}', 'full', '/m', 'h', 'cpu', 'completed', 'now'),
               (2, 1, 'both', '{"datasetId":7,"classLabels":["a"],"nerTags":["O","B-PER","I-PER"]}', 'full', '/m', 'h', 'cpu', 'completed', 'now'),
               (3, 1, 'other tool', '{}', 'full', '/m', 'h', 'cpu', 'completed', 'now');`);
    old.close();
    const db = openDb(path);
    const data = runDataOf(db, [1, 2, 3]);
    expect(data.get(1)?.map((d) => d.role)).toEqual(['classification-dev', 'classification-train']);
    expect(data.get(2)?.map((d) => `${d.role}:${d.datasetName}:${d.split}`)).toEqual([
      'classification-dev:ag:dev',
      'classification-train:ag:train',
      'ner-dev:ag:dev',
      'ner-train:ag:train',
    ]);
    expect(data.get(3)).toEqual([]);
    db.close();
  });
});

function writeRows(name: string, rows: readonly object[]): string {
  const path = join(t.dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n'));
  return path;
}
