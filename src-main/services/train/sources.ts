// Which dataset (and split) each task of a run trains and evaluates on, and how a run records it. As the
// CLI's --train/--dev/--ner-train/--ner-dev: classification from one dataset, NER from another, and each
// task's dev data from its dataset's dev split or from a whole other dataset.
import type { Db } from '../../store/db';
import { getDataset } from '../../store/repos/datasets';
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

type SourceFields = Pick<TrainingRequest, 'datasetId' | 'nerDatasetId' | 'devDatasetId' | 'nerDevDatasetId'>;

/**
 * The request's sources. Classification trains on `datasetId`'s train split; NER on `nerDatasetId`'s (default
 * the same dataset). Dev: `devDatasetId` (every example of it) for classification, else the train dataset's
 * dev split; for NER `nerDevDatasetId`, else, when NER comes from the main dataset, the same dev as
 * classification, else the NER dataset's dev split.
 */
export function taskSources(r: SourceFields): TaskSources {
  const whole = (id: number): DataSource => ({ datasetId: id, split: null });
  const clsDev: DataSource =
    r.devDatasetId !== undefined ? whole(r.devDatasetId) : { datasetId: r.datasetId, split: 'dev' };
  const nerId = r.nerDatasetId ?? r.datasetId;
  const nerDev: DataSource =
    r.nerDevDatasetId !== undefined
      ? whole(r.nerDevDatasetId)
      : nerId === r.datasetId
        ? clsDev
        : { datasetId: nerId, split: 'dev' };
  return {
    classification: { train: { datasetId: r.datasetId, split: 'train' }, dev: clsDev },
    ner: { train: { datasetId: nerId, split: 'train' }, dev: nerDev },
  };
}

/** Whether two sources read the same examples. */
export function sameSource(a: DataSource, b: DataSource): boolean {
  return a.datasetId === b.datasetId && a.split === b.split;
}

/** Every dataset the sources read, ascending (for the snapshot hash). */
export function sourceDatasetIds(s: TaskSources, tasks = { classification: true, ner: true }): number[] {
  const ids = new Set<number>();
  for (const task of ['classification', 'ner'] as const) {
    if (!tasks[task]) continue;
    ids.add(s[task].train.datasetId).add(s[task].dev.datasetId);
  }
  return [...ids].sort((a, b) => a - b);
}

/** '"news" (train split)' or '"news-dev" (all examples)', for plans and messages. */
export function describeSource(db: Db, s: DataSource): string {
  const name = getDataset(db, s.datasetId).name;
  return `"${name}" (${s.split === null ? 'all examples' : `${s.split} split`})`;
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
