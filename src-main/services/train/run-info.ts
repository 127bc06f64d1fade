// What the training service stored in a run's config that later analyses need (dataset, label sets).
import { z } from 'zod';
import type { Run } from '../../store/types';
import { ServiceError } from '../api/errors';

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
