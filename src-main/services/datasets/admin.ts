// Datasets and projects under the user's control: rename, delete (runs that used them keep their names and are
// marked), re-split with a warning when a class ends up without dev examples, move examples between splits.
import { z } from 'zod';
import type { Db } from '../../store/db';
import * as datasets from '../../store/repos/datasets';
import * as projects from '../../store/repos/projects';
import { markDatasetDeleted, renameRunDatasets, unfinishedRunsUsing } from '../../store/repos/run-datasets';
import { listRuns } from '../../store/repos/runs';
import type { Dataset, Project, Split } from '../../store/types';
import { ServiceError } from '../api';
import { IdSchema } from '../projects/ids';
import { SplitPolicySchema } from './schemas';
import { assignDatasetSplits } from './splitting';

const Name = z.string().trim().min(1, 'a name cannot be empty').max(200);

export const RenameDatasetInput = z.object({ datasetId: IdSchema, name: Name });
export type RenameDatasetInput = z.output<typeof RenameDatasetInput>;
export const RenameProjectInput = z.object({ projectId: IdSchema, name: Name.max(120) });
export type RenameProjectInput = z.output<typeof RenameProjectInput>;
export const ResplitWithReportInput = z.object({ datasetId: IdSchema, split: SplitPolicySchema });
export type ResplitWithReportInput = z.output<typeof ResplitWithReportInput>;
export const MoveExamplesInput = z.object({
  datasetId: IdSchema,
  exampleIds: z.array(IdSchema).min(1, 'select at least one example').max(100_000),
  split: z.enum(['train', 'dev', 'test']),
});
export type MoveExamplesInput = z.output<typeof MoveExamplesInput>;

/** Examples per split and per class and split, after a change, with warnings about what cannot be evaluated. */
export interface SplitReport {
  readonly dataset: Dataset;
  readonly counts: Readonly<Record<Split, number>>;
  readonly byClass: Readonly<Record<string, Readonly<Record<Split, number>>>>;
  readonly warnings: readonly string[];
}

/** Renames a dataset; names are unique within a project so that people (and `mts data export`) can tell them apart. */
export function renameDataset(db: Db, { datasetId, name }: RenameDatasetInput): Dataset {
  const d = datasets.getDataset(db, datasetId);
  const clash = datasets.listDatasets(db, d.projectId).find((o) => o.name === name && o.id !== d.id);
  if (clash)
    throw new ServiceError('conflict', `This project already has a dataset named "${name}"; choose another name.`);
  db.transaction(() => {
    db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, datasetId);
    renameRunDatasets(db, datasetId, name);
  }).immediate();
  return datasets.getDataset(db, datasetId);
}

/**
 * Deletes a dataset with its examples and spans. Runs that used it stay, marked as using a deleted dataset
 * (their recorded name is kept); a run still training on it is a refusal that names the run.
 */
export function deleteDatasetKeepingRuns(
  db: Db,
  datasetId: number,
): { readonly deleted: number; readonly runsMarked: number } {
  const d = datasets.getDataset(db, datasetId);
  const busy = unfinishedRunsUsing(db, datasetId);
  if (busy.length > 0) {
    const names = busy.map((r) => `"${r.name}" (${r.status})`).join(', ');
    throw new ServiceError(
      'conflict',
      `Dataset "${d.name}" is used by ${busy.length === 1 ? 'run' : 'runs'} ${names}; wait for ${busy.length === 1 ? 'it' : 'them'} to finish or cancel on the Train screen, then delete.`,
    );
  }
  const runsMarked = db.transaction(() => removeDatasetKeepingRuns(db, datasetId)).immediate();
  return { deleted: datasetId, runsMarked };
}

/** Marks the runs that used a dataset as using a deleted one, then deletes it; returns the runs marked. */
function removeDatasetKeepingRuns(db: Db, datasetId: number): number {
  const marked = markDatasetDeleted(db, datasetId);
  datasets.deleteDataset(db, datasetId);
  return marked;
}

/** Renames a project (names are unique). */
export function renameProject(db: Db, { projectId, name }: RenameProjectInput): Project {
  projects.getProject(db, projectId);
  const clash = projects.listProjects(db).find((p) => p.name === name && p.id !== projectId);
  if (clash) throw new ServiceError('conflict', `A project named "${name}" already exists; choose another name.`);
  db.prepare('UPDATE projects SET name = ? WHERE id = ?').run(name, projectId);
  return projects.getProject(db, projectId);
}

/**
 * Deletes a project. One without runs goes with everything in it. One with runs loses its datasets (the runs
 * are marked as using deleted datasets, their recorded names kept) and stays as a hidden, renamed row, so its
 * runs stay listed on the Runs screen under "<name> (deleted <date>)". Refused while one of its runs is queued
 * or training, naming it.
 */
export function deleteProjectChecked(
  db: Db,
  projectId: number,
): { readonly deleted: number; readonly runsKept: number } {
  const p = projects.getProject(db, projectId);
  const runs = listRuns(db, projectId);
  const busy = runs.filter((r) => r.status === 'queued' || r.status === 'running').reverse();
  if (busy.length > 0) {
    throw new ServiceError(
      'conflict',
      `Project "${p.name}" has a training in progress (${busy.map((r) => `"${r.name}"`).join(', ')}); wait for it or cancel it, then delete.`,
    );
  }
  db.transaction(() => {
    if (runs.length === 0) {
      projects.deleteProject(db, projectId);
      return;
    }
    // Every dataset, unfinished imports too: the project row stays, so nothing would cascade them away.
    const ids = db.prepare<[number], { id: number }>('SELECT id FROM datasets WHERE project_id = ?').all(projectId);
    for (const { id } of ids) removeDatasetKeepingRuns(db, id);
    projects.markProjectDeleted(db, projectId);
  }).immediate();
  return { deleted: projectId, runsKept: runs.length };
}

/** Re-assigns the splits of a ready dataset and reports the counts, warning about classes left without dev. */
export function resplitWithReport(db: Db, { datasetId, split }: ResplitWithReportInput): SplitReport {
  const d = readyDataset(db, datasetId, 're-splitting');
  db.transaction(() => {
    if (split.mode === 'stratified') assignDatasetSplits(db, datasetId, split, split.seed);
    else db.prepare('UPDATE examples SET split = ? WHERE dataset_id = ?').run(split.split, datasetId);
  }).immediate();
  return splitReport(db, d.id);
}

/** Moves chosen examples of one dataset to a split; ids from another dataset are refused. */
export function moveExamples(
  db: Db,
  { datasetId, exampleIds, split }: MoveExamplesInput,
): SplitReport & { readonly moved: number } {
  const d = readyDataset(db, datasetId, 'moving examples');
  const ids = [...new Set(exampleIds)];
  const moved = db
    .transaction(() => {
      const update = db.prepare('UPDATE examples SET split = ? WHERE id = ? AND dataset_id = ?');
      let n = 0;
      for (const id of ids) n += update.run(split, id, datasetId).changes;
      if (n !== ids.length) {
        throw new ServiceError(
          'invalid_input',
          `${ids.length - n} of the ${ids.length} examples are not in dataset "${d.name}"; select examples of this dataset only.`,
        );
      }
      return n;
    })
    .immediate();
  return { ...splitReport(db, datasetId), moved };
}

function readyDataset(db: Db, datasetId: number, what: string): Dataset {
  const d = datasets.getDataset(db, datasetId);
  if (d.status !== 'ready')
    throw new ServiceError(
      'conflict',
      `Dataset "${d.name}" is still importing; finish or discard the import before ${what}.`,
    );
  return d;
}

/** Counts per split and per class, and the warnings a training would refuse on. */
export function splitReport(db: Db, datasetId: number): SplitReport {
  const rows = db
    .prepare<[number], { split: Split | null; label: string | null; n: number }>(
      `SELECT split, class_label AS label, count(*) AS n FROM examples WHERE dataset_id = ? GROUP BY split, class_label`,
    )
    .all(datasetId);
  const counts: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  const byClass: Record<string, Record<Split, number>> = {};
  for (const r of rows) {
    if (r.split === null) continue;
    counts[r.split] += r.n;
    if (r.label === null) continue;
    const c = (byClass[r.label] ??= { train: 0, dev: 0, test: 0 });
    c[r.split] += r.n;
  }
  return { dataset: datasets.getDataset(db, datasetId), counts, byClass, warnings: splitWarnings(counts, byClass) };
}

/** "Class "Sports" has no dev examples (train 40, test 5)": one line per problem, with the counts. */
export function splitWarnings(
  counts: Readonly<Record<Split, number>>,
  byClass: Readonly<Record<string, Readonly<Record<Split, number>>>>,
): string[] {
  const out: string[] = [];
  if (counts.train === 0)
    out.push(`No train examples (dev ${counts.dev}, test ${counts.test}): this dataset cannot train on its own.`);
  if (counts.dev === 0) {
    out.push(
      `No dev examples (train ${counts.train}, test ${counts.test}): a run on it needs another dataset as its dev source.`,
    );
    return out;
  }
  const missing = Object.entries(byClass).filter(([, c]) => c.dev === 0 && c.train > 0);
  for (const [label, c] of missing)
    out.push(
      `Class "${label}" has no dev examples (train ${c.train}, test ${c.test}); its accuracy cannot be measured and training will refuse to start.`,
    );
  return out;
}
