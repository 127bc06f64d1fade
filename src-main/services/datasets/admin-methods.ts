/**
 * Wiring of the dataset administration services (export of annotations; rename, delete, re-split, move
 * examples; rename and delete projects) to the contract's methods in src-preload/contract/dataset-admin.ts.
 */
import { z } from 'zod';
import type { SplitReport as ApiSplitReport } from '../../../src-preload/contract';
import type { DbHandle } from '../app/db';
import { datasetId, defineMethod, projectId, type MethodSlice } from '../api';
import { ProjectIdInput } from '../projects';
import { toProjectInfo } from '../projects/methods';
import {
  deleteDatasetKeepingRuns,
  deleteProjectChecked,
  moveExamples,
  MoveExamplesInput,
  renameDataset,
  RenameDatasetInput,
  renameProject,
  RenameProjectInput,
  resplitWithReport,
  ResplitWithReportInput,
  type SplitReport,
} from './admin';
import { exportDataset, ExportDatasetInput } from './export';
import { toDatasetInfo } from './methods';
import { DatasetIdInput } from './schemas';

type AdminMethods =
  | 'datasets.export'
  | 'datasets.rename'
  | 'datasets.delete'
  | 'datasets.resplit'
  | 'datasets.moveExamples'
  | 'projects.rename'
  | 'projects.delete';

const toSplitReport = (r: SplitReport): ApiSplitReport => ({ ...r, dataset: toDatasetInfo(r.dataset) });

/** Builds the dataset administration methods over the database in `db`. */
export function datasetAdminMethods(db: DbHandle): MethodSlice<AdminMethods> {
  return {
    'datasets.export': defineMethod('datasets.export', ExportDatasetInput, async (input) => {
      const r = await exportDataset(db.get(), input);
      return { path: r.path, format: input.format, examples: r.examples, spans: r.spans, widenedSpans: r.widenedSpans };
    }),
    'datasets.rename': defineMethod('datasets.rename', RenameDatasetInput, async (input) =>
      toDatasetInfo(renameDataset(db.get(), input)),
    ),
    'datasets.delete': defineMethod('datasets.delete', DatasetIdInput, async (input) => {
      const r = deleteDatasetKeepingRuns(db.get(), input.datasetId);
      return { deleted: datasetId(r.deleted), runsMarked: r.runsMarked };
    }),
    'datasets.resplit': defineMethod('datasets.resplit', ResplitWithReportInput, async (input) =>
      toSplitReport(resplitWithReport(db.get(), input)),
    ),
    'datasets.moveExamples': defineMethod('datasets.moveExamples', MoveExamplesInput, async (input) => {
      const r = moveExamples(db.get(), input);
      return { ...toSplitReport(r), moved: r.moved };
    }),
    'projects.rename': defineMethod('projects.rename', RenameProjectInput, async (input) =>
      toProjectInfo(renameProject(db.get(), input)),
    ),
    'projects.delete': defineMethod('projects.delete', z.object(ProjectIdInput.shape), async (input) => {
      const r = deleteProjectChecked(db.get(), input.projectId);
      return { deleted: projectId(r.deleted), runsKept: r.runsKept };
    }),
  };
}
