// What the training service stored in a run's config that later analyses need (dataset, label sets).
import { z } from 'zod';
import type { Db } from '../../store/db';
import { runDatasetsOf } from '../../store/repos/run-datasets';
import type { Run } from '../../store/types';
import { ServiceError } from '../api/errors';
import { TrainingRequest } from './schemas';
import { taskSources, type TaskSources } from './sources';

const StoredRunConfig = z.looseObject({
  datasetId: z.int().positive(),
  classLabels: z.array(z.string()).default([]),
  nerTags: z.array(z.string()).default([]),
});

/** The dataset and label sets of a run started by startTraining; refuses runs recorded by other tools. */
export function runDataInfo(run: Run): {
  readonly datasetId: number;
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
} {
  const parsed = StoredRunConfig.safeParse(run.config);
  if (!parsed.success) {
    throw new ServiceError(
      'conflict',
      `Run ${run.id} was not started from a dataset in this app (its config names no datasetId), so it has no dev examples here.`,
    );
  }
  return parsed.data;
}

const StoredRequest = z.looseObject({ request: z.unknown() });

/**
 * Where each task of a run read its data (its stored request, or its one dataset for runs from before
 * per-task sources); refused, naming it, when one of those datasets has been deleted since.
 */
export function runSources(db: Db, run: Run): TaskSources {
  const info = runDataInfo(run);
  const gone = (runDatasetsOf(db, [run.id]).get(run.id) ?? []).find((d) => d.datasetId === null);
  if (gone) {
    throw new ServiceError(
      'not_found',
      `Run "${run.name}" used the dataset "${gone.datasetName}", which has been deleted, so its examples are gone; start a new run on a dataset that exists.`,
    );
  }
  const stored = StoredRequest.safeParse(run.config);
  const request = stored.success ? TrainingRequest.safeParse(stored.data.request) : null;
  return taskSources(request?.success ? request.data : { datasetId: info.datasetId });
}
