/**
 * Wiring of the project and dataset services (services/projects, services/datasets) to the contract. The
 * services validate and return `Result`s; here we reuse their zod schemas, unwrap (errors keep their code),
 * and map store rows to the contract's shapes, minting branded ids.
 */
import { z } from 'zod';
import type {
  DatasetId,
  DatasetInfo,
  ImportProgress,
  ImportSummary as ApiImportSummary,
  ProjectId,
  ProjectInfo,
} from '../../src-preload/contract';
import type { Dataset, Project } from '../store/types';
import type { DbHandle } from './contract-impl-db';
import { defineMethod, type MethodSlice } from './contract-impl-types';
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
} from './datasets';
import { ServiceError, unwrap } from './errors';
import { createProject, CreateProjectInput, listProjects, ProjectIdInput } from './projects';

// Branding happens here, where ids leave the store: the only place a plain number becomes an id type.
const projectId = (id: number): ProjectId => id as ProjectId;
const datasetId = (id: number): DatasetId => id as DatasetId;

function toProjectInfo(p: Project): ProjectInfo {
  return { id: projectId(p.id), name: p.name, description: p.description, createdAt: p.createdAt };
}

function toDatasetInfo(d: Dataset): DatasetInfo {
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

type DataMethods =
  | 'projects.list'
  | 'projects.create'
  | 'datasets.list'
  | 'datasets.preview'
  | 'datasets.import'
  | 'datasets.stats'
  | 'datasets.cancelImport';

/** Builds the `projects.*` and `datasets.*` methods over the database in `db`. */
export function dataMethods(db: DbHandle): MethodSlice<DataMethods> {
  // Running imports by path, so a later call can cancel one.
  const running = new Map<string, AbortController>();
  return {
    'projects.list': defineMethod('projects.list', z.strictObject({}), async () =>
      unwrap(listProjects(db.get())).map(toProjectInfo),
    ),
    'projects.create': defineMethod('projects.create', CreateProjectInput, async (input) =>
      toProjectInfo(unwrap(createProject(db.get(), input))),
    ),
    'datasets.list': defineMethod('datasets.list', ProjectIdInput, async (input) =>
      unwrap(listDatasets(db.get(), input)).map(toDatasetInfo),
    ),
    'datasets.preview': defineMethod('datasets.preview', PreviewFileInput, async (input) =>
      unwrap(await previewFile(input)),
    ),
    'datasets.import': defineMethod('datasets.import', ImportDatasetInput, async (input, ctx) => {
      if (running.has(input.path)) {
        throw new ServiceError('conflict', `${input.path} is already being imported; wait for it or cancel it first.`);
      }
      const abort = new AbortController();
      running.set(input.path, abort);
      const onEvent = (e: ImportDatasetEvent): void =>
        ctx.emit({ type: 'datasets.import', path: input.path, progress: toProgress(e) });
      try {
        return toImportSummary(unwrap(await importDataset(db.get(), input, { onEvent, signal: abort.signal })));
      } finally {
        running.delete(input.path);
      }
    }),
    'datasets.stats': defineMethod('datasets.stats', StatsInput, async (input) =>
      unwrap(datasetStats(db.get(), input)),
    ),
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
