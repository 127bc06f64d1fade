/**
 * Wiring of the dataset administration services (export of annotations; rename, delete, re-split, move
 * examples; rename and delete projects) to the contract's methods in src-preload/contract/dataset-admin.ts.
 */
import type { DbHandle } from '../app/db';
import { defineMethod, type MethodSlice } from '../api';
import { exportDataset, ExportDatasetInput } from './export';

type AdminMethods = 'datasets.export';

/** Builds the dataset administration methods over the database in `db`. */
export function datasetAdminMethods(db: DbHandle): MethodSlice<AdminMethods> {
  return {
    'datasets.export': defineMethod('datasets.export', ExportDatasetInput, async (input) => {
      const r = await exportDataset(db.get(), input);
      return { path: r.path, format: input.format, examples: r.examples, spans: r.spans, widenedSpans: r.widenedSpans };
    }),
  };
}
