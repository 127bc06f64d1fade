// Dataset listing, deletion, re-splitting and recovery of interrupted imports. Inputs are the zod schemas'
// output (validated by the dispatcher); failures throw.
import type { Db } from '../../store/db';
import * as datasets from '../../store/repos/datasets';
import { getProject } from '../../store/repos/projects';
import type { Dataset } from '../../store/types';
import { ServiceError } from '../api';
import type { ProjectIdInput } from '../projects';
import type { DatasetIdInput, ResplitInput } from './schemas';
import { deleteDatasetKeepingRuns } from './admin';
import { assignDatasetSplits } from './splitting';

/** The project's datasets whose import finished. */
export function listDatasets(db: Db, { projectId }: ProjectIdInput): readonly Dataset[] {
  getProject(db, projectId);
  return datasets.listDatasets(db, projectId);
}

/** One dataset (including one still importing, so a UI can show its progress). */
export function getDataset(db: Db, { datasetId }: DatasetIdInput): Dataset {
  return datasets.getDataset(db, datasetId);
}

/** Deletes a dataset with its examples and spans; runs that used it are kept and marked (see admin.ts). */
export function deleteDataset(db: Db, { datasetId }: DatasetIdInput): { readonly deleted: number } {
  return deleteDatasetKeepingRuns(db, datasetId);
}

/** Imports that a crash left unfinished (importing the same file again with the same mapping resumes them). */
export function listIncompleteImports(db: Db, { projectId }: ProjectIdInput): readonly Dataset[] {
  return datasets.listIncompleteImports(db, projectId);
}

/** Deletes every unfinished import of a project instead of resuming it; returns the removed ids. */
export function discardIncompleteImports(db: Db, { projectId }: ProjectIdInput): readonly number[] {
  return db
    .transaction(() => {
      const ids = datasets.listIncompleteImports(db, projectId).map((d) => d.id);
      for (const id of ids) datasets.deleteDataset(db, id);
      return ids;
    })
    .immediate();
}

/** Re-assigns the splits of a ready dataset (stratified with a seed, or all to one split). */
export function resplitDataset(db: Db, { datasetId, split }: ResplitInput): Dataset {
  const d = datasets.getDataset(db, datasetId);
  if (d.status !== 'ready') {
    throw new ServiceError(
      'conflict',
      `Dataset ${datasetId} is still importing; finish or discard the import before re-splitting.`,
    );
  }
  db.transaction(() => {
    if (split.mode === 'stratified') assignDatasetSplits(db, datasetId, split, split.seed);
    else db.prepare('UPDATE examples SET split = ? WHERE dataset_id = ?').run(split.split, datasetId);
  }).immediate();
  return datasets.getDataset(db, datasetId);
}
