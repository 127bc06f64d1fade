// Dataset listing, deletion, re-splitting and recovery of interrupted imports.
import type { Db } from '../../store/db';
import * as datasets from '../../store/repos/datasets';
import { getProject } from '../../store/repos/projects';
import type { Dataset } from '../../store/types';
import { guard, parseInput, ServiceError, type Result } from '../errors';
import { ProjectIdInput } from '../projects';
import { DatasetIdInput, ResplitInput } from './schemas';
import { assignDatasetSplits } from './splitting';

/** The project's datasets whose import finished. */
export function listDatasets(db: Db, input: unknown): Result<readonly Dataset[]> {
  return guard(() => {
    const { projectId } = parseInput(ProjectIdInput, input, 'listDatasets input');
    getProject(db, projectId);
    return datasets.listDatasets(db, projectId);
  });
}

/** One dataset (including one still importing, so a UI can show its progress). */
export function getDataset(db: Db, input: unknown): Result<Dataset> {
  return guard(() => datasets.getDataset(db, parseInput(DatasetIdInput, input, 'getDataset input').datasetId));
}

/** Deletes a dataset with its examples and spans. */
export function deleteDataset(db: Db, input: unknown): Result<{ readonly deleted: number }> {
  return guard(() => {
    const { datasetId } = parseInput(DatasetIdInput, input, 'deleteDataset input');
    datasets.getDataset(db, datasetId);
    datasets.deleteDataset(db, datasetId);
    return { deleted: datasetId };
  });
}

/** Imports that a crash left unfinished (importing the same file again with the same mapping resumes them). */
export function listIncompleteImports(db: Db, input: unknown): Result<readonly Dataset[]> {
  return guard(() =>
    datasets.listIncompleteImports(db, parseInput(ProjectIdInput, input, 'listIncompleteImports input').projectId),
  );
}

/** Deletes every unfinished import of a project instead of resuming it; returns the removed ids. */
export function discardIncompleteImports(db: Db, input: unknown): Result<readonly number[]> {
  return guard(() => {
    const { projectId } = parseInput(ProjectIdInput, input, 'discardIncompleteImports input');
    return db
      .transaction(() => {
        const ids = datasets.listIncompleteImports(db, projectId).map((d) => d.id);
        for (const id of ids) datasets.deleteDataset(db, id);
        return ids;
      })
      .immediate();
  });
}

/** Re-assigns the splits of a ready dataset (stratified with a seed, or all to one split). */
export function resplitDataset(db: Db, input: unknown): Result<Dataset> {
  return guard(() => {
    const { datasetId, split } = parseInput(ResplitInput, input, 'resplitDataset input');
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
  });
}
