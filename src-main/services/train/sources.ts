// Which dataset (and split) each task of a run trains and evaluates on, and how a run records it.
import type { Db } from '../../store/db';
import { recordRunDatasets, type RunDataRole } from '../../store/repos/run-datasets';
import type { Split } from '../../store/types';
import type { TrainingRequest } from './schemas';

/** A dataset's examples in one split, or all of them (split null: a dataset given as a dev source). */
export interface DataSource {
  readonly datasetId: number;
  readonly split: Split | null;
}

export interface TaskSources {
  readonly classification: { readonly train: DataSource; readonly dev: DataSource };
  readonly ner: { readonly train: DataSource; readonly dev: DataSource };
}

/** The request's sources: both tasks from `datasetId`'s train and dev splits. */
export function taskSources(r: Pick<TrainingRequest, 'datasetId'>): TaskSources {
  const train: DataSource = { datasetId: r.datasetId, split: 'train' };
  const dev: DataSource = { datasetId: r.datasetId, split: 'dev' };
  return { classification: { train, dev }, ner: { train, dev } };
}

/** Records on the run which datasets its tasks read (only the tasks it trains). */
export function recordSources(
  db: Db,
  runId: number,
  sources: TaskSources,
  tasks: { readonly classification: boolean; readonly ner: boolean },
): void {
  const rows: { role: RunDataRole; datasetId: number; split: Split | null }[] = [];
  for (const task of ['classification', 'ner'] as const) {
    if (!tasks[task]) continue;
    rows.push({ role: `${task}-train`, ...sources[task].train }, { role: `${task}-dev`, ...sources[task].dev });
  }
  recordRunDatasets(db, runId, rows);
}
