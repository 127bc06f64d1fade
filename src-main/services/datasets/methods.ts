/**
 * Wiring of the dataset services to the contract's `datasets.*` methods. The dispatcher validates with the
 * services' zod schemas; the handlers pass the parsed input straight through, map store rows to the
 * contract's shapes and mint branded ids. Errors are thrown and mapped once, by the dispatcher.
 */
import { z } from 'zod';
import type { DatasetInfo, ImportProgress, ImportSummary as ApiImportSummary } from '../../../src-preload/contract';
import type { Dataset } from '../../store/types';
import type { DbHandle } from '../app/db';
import { datasetId, defineMethod, projectId, ServiceError, type MethodSlice } from '../api';
import { ProjectIdInput } from '../projects';
import {
  datasetStats,
  importDataset,
  listDatasets,
  previewFile,
  ImportDatasetInput,
  PreviewFileInput,
  StatsInput,
  type ImportDatasetEvent,
  type ImportSummary,
} from '.';

/** A stored dataset as the contract shapes it. */
export function toDatasetInfo(d: Dataset): DatasetInfo {
  return {
    id: datasetId(d.id),
    projectId: projectId(d.projectId),
    name: d.name,
    sourcePath: d.sourcePath,
    sha256: d.sha256,
    format: d.format,
    rowsRead: d.rowsRead,
    examples: d.examples,
    skipped: d.skipped,
    duplicates: d.duplicates,
    createdAt: d.createdAt,
  };
}

function toImportSummary(s: ImportSummary): ApiImportSummary {
  return {
    ...s,
    datasetId: datasetId(s.datasetId),
    skippedRows: s.skippedRows.map((r) => ({ line: r.line, reason: r.reason })),
  };
}

function toProgress(e: ImportDatasetEvent): ImportProgress {
  switch (e.kind) {
    case 'started':
      return { kind: 'started', datasetId: datasetId(e.datasetId), resumedAfterLine: e.resumedAfterLine };
    case 'progress':
      return { ...e };
    case 'finalizing':
      return { kind: 'finalizing', examples: e.examples };
    case 'done':
      return { kind: 'done', examples: e.summary.examples };
  }
}

type DatasetMethods =
  'datasets.list' | 'datasets.preview' | 'datasets.import' | 'datasets.stats' | 'datasets.cancelImport';

/** Builds the `datasets.*` methods over the database in `db`. */
export function datasetMethods(db: DbHandle): MethodSlice<DatasetMethods> {
  // Running imports by path, so a later call can cancel one.
  const running = new Map<string, AbortController>();
  return {
    'datasets.list': defineMethod('datasets.list', ProjectIdInput, async (input) =>
      listDatasets(db.get(), input).map(toDatasetInfo),
    ),
    'datasets.preview': defineMethod('datasets.preview', PreviewFileInput, (input) => previewFile(input)),
    'datasets.import': defineMethod('datasets.import', ImportDatasetInput, async (input, ctx) => {
      if (running.has(input.path)) {
        throw new ServiceError('conflict', `${input.path} is already being imported; wait for it or cancel it first.`);
      }
      const abort = new AbortController();
      running.set(input.path, abort);
      const onEvent = (e: ImportDatasetEvent): void =>
        ctx.emit({ type: 'datasets.import', path: input.path, progress: toProgress(e) });
      try {
        return toImportSummary(await importDataset(db.get(), input, { onEvent, signal: abort.signal }));
      } finally {
        running.delete(input.path);
      }
    }),
    'datasets.stats': defineMethod('datasets.stats', StatsInput, async (input) => datasetStats(db.get(), input)),
    'datasets.cancelImport': defineMethod(
      'datasets.cancelImport',
      z.strictObject({ path: z.string().min(1) }),
      async ({ path }) => {
        const abort = running.get(path);
        abort?.abort();
        return { cancelled: abort !== undefined };
      },
    ),
  };
}
