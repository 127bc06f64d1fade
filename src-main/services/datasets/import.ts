// importDataset: streams an importer into the database in batched transactions, resumable after a crash.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Db } from '../../store/db';
import * as datasets from '../../store/repos/datasets';
import { datasetExampleKeys, insertExample } from '../../store/repos/examples';
import { insertSpan } from '../../store/repos/spans';
import { getProject } from '../../store/repos/projects';
import { processAlive } from '../../store/repos/runs';
import type { Dataset, DuplicateRowRecord, SkippedRowRecord, Split } from '../../store/types';
import type { ImportEvent, ImportOptions, ImportedExample, ImportReport } from '../../data/types';
import { importFile } from '../../data/import';
import { ServiceError } from '../api';
import { checkImportPath } from './paths';
import type { ImportDatasetInput } from './schemas';
import { assignDatasetSplits } from './splitting';

/** The importer's shape (H3's importFile); injectable so tests can feed events directly. */
export type Importer = (path: string, options: ImportOptions) => AsyncIterable<ImportEvent>;

export interface ImportSummary {
  readonly datasetId: number;
  readonly sha256: string;
  /** Source line after which this run continued an earlier, interrupted import (null: fresh import). */
  readonly resumedAfterLine: number | null;
  readonly rowsRead: number;
  readonly examples: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly skippedRows: readonly SkippedRowRecord[];
  readonly duplicateRows: readonly DuplicateRowRecord[];
  readonly labels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly notes: readonly string[];
  readonly seconds: number;
}

export type ImportDatasetEvent =
  | {
      readonly kind: 'started';
      readonly datasetId: number;
      readonly sha256: string;
      readonly resumedAfterLine: number | null;
    }
  | {
      readonly kind: 'progress';
      readonly bytesRead: number;
      readonly totalBytes: number;
      /** Counters of what is committed so far. */
      readonly rowsRead: number;
      readonly examples: number;
      readonly skipped: number;
      readonly duplicates: number;
    }
  | { readonly kind: 'finalizing'; readonly examples: number }
  | { readonly kind: 'done'; readonly summary: ImportSummary };

export interface ImportRuntime {
  readonly onEvent?: (e: ImportDatasetEvent) => void;
  /** Aborting deletes the partial dataset and fails with code 'cancelled'. */
  readonly signal?: AbortSignal;
  readonly importer?: Importer;
}

/** SHA-256 of a file's bytes, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function textKey(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Why an imported example cannot be stored, or null when it can. */
function invalidReason(ex: ImportedExample): string | null {
  if (ex.text.length === 0) return 'empty text; fill in the text column or remove the row';
  for (const s of ex.spans ?? []) {
    if (
      !Number.isInteger(s.start) ||
      !Number.isInteger(s.end) ||
      s.start < 0 ||
      s.end <= s.start ||
      s.end > ex.text.length
    ) {
      return `span [${s.start}, ${s.end}) ${s.type} lies outside the text (length ${ex.text.length}); fix its offsets`;
    }
  }
  return null;
}

interface Batch {
  examples: ImportedExample[];
  skipped: SkippedRowRecord[];
  duplicateRows: DuplicateRowRecord[];
  rowsRead: number;
  lastLine: number;
}

const emptyBatch = (lastLine: number): Batch => ({
  examples: [],
  skipped: [],
  duplicateRows: [],
  rowsRead: 0,
  lastLine,
});

// Unfinished imports this process is writing right now: never "resume" one of those concurrently.
const activeImports = new Set<string>();
const activeKey = (db: Db, datasetId: number): string => `${db.name}#${datasetId}`;

/** Refuses to resume an unfinished import that is still being written (here or by another live process). */
function assertNotInProgress(db: Db, d: Dataset): void {
  const here = d.ownerPid === process.pid && activeImports.has(activeKey(db, d.id));
  const elsewhere = d.ownerPid !== null && d.ownerPid !== process.pid && processAlive(d.ownerPid);
  if (here || elsewhere) {
    throw new ServiceError(
      'conflict',
      `${d.sourcePath} is already being imported into this project (dataset ${d.id}, process ${d.ownerPid ?? '?'}); ` +
        'wait for that import to finish or cancel it first.',
    );
  }
}

/** Imports a file into a project as a new dataset (see README: batching, resume, rollback). */
export async function importDataset(db: Db, input: ImportDatasetInput, rt: ImportRuntime = {}): Promise<ImportSummary> {
  const started = performance.now();
  getProject(db, input.projectId);
  const path = checkImportPath(input.path);
  const sha256 = await sha256File(path);
  const importOptions: ImportOptions = {
    format: input.format,
    columns: input.columns,
    labels: input.labels,
    entityTypes: input.entityTypes,
    latin1Fallback: input.latin1Fallback,
  };
  const mappingJson = JSON.stringify(importOptions);
  const optionsJson = JSON.stringify({
    split: input.split,
    keepDuplicates: input.keepDuplicates,
    importedSpanSource: input.importedSpanSource,
  });

  const resumable = datasets.findResumableImport(db, input.projectId, sha256, mappingJson, optionsJson);
  if (resumable) assertNotInProgress(db, resumable);
  const dataset: Dataset =
    resumable ??
    datasets.insertImportingDataset(db, {
      projectId: input.projectId,
      name: input.name ?? basename(path),
      sourcePath: path,
      sha256,
      format: input.format ?? 'auto',
      mappingJson,
      optionsJson,
    });
  if (resumable) datasets.claimImport(db, resumable.id);
  const resumedAfterLine = resumable ? resumable.resumeLine : null;
  const key = activeKey(db, dataset.id);
  activeImports.add(key);
  try {
    rt.onEvent?.({ kind: 'started', datasetId: dataset.id, sha256, resumedAfterLine });
    const report = await streamRows(db, dataset, path, importOptions, input, rt);
    refuseEmpty(path, datasets.getDataset(db, dataset.id));
    rt.onEvent?.({ kind: 'finalizing', examples: datasets.getDataset(db, dataset.id).examples });
    db.transaction(() => {
      if (input.split.mode === 'stratified') assignDatasetSplits(db, dataset.id, input.split, input.split.seed);
      datasets.markDatasetReady(db, dataset.id, report?.format ?? null);
    }).immediate();
    const d = datasets.getDataset(db, dataset.id);
    const summary: ImportSummary = {
      datasetId: d.id,
      sha256,
      resumedAfterLine,
      rowsRead: d.rowsRead,
      examples: d.examples,
      skipped: d.skipped,
      duplicates: d.duplicates,
      skippedRows: d.skippedRows,
      duplicateRows: d.duplicateRows,
      labels: report?.labels ?? [],
      entityTypes: report?.entityTypes ?? [],
      notes: report?.notes ?? [],
      seconds: (performance.now() - started) / 1000,
    };
    rt.onEvent?.({ kind: 'done', summary });
    return summary;
  } catch (err) {
    // An error (not a crash) would recur on resume: roll the whole dataset back so nothing half-made stays.
    datasets.deleteDataset(db, dataset.id);
    throw err;
  } finally {
    activeImports.delete(key);
  }
}

/** A file that gave no example becomes no dataset: the refusal says what was read and why nothing was kept. */
function refuseEmpty(path: string, d: Dataset): void {
  if (d.examples > 0) return;
  const file = basename(path);
  if (d.rowsRead === 0) {
    throw new ServiceError(
      'invalid_input',
      `${file} has no data rows (an empty file, or a header only), so nothing was imported; choose a file with examples.`,
    );
  }
  const first = d.skippedRows[0];
  const why =
    d.duplicates === d.rowsRead
      ? 'every row repeats an earlier text of this file'
      : first
        ? `${d.skipped} skipped (first: line ${first.line}: ${first.reason})${d.duplicates > 0 ? `, ${d.duplicates} duplicates` : ''}`
        : `${d.skipped} skipped, ${d.duplicates} duplicates`;
  throw new ServiceError(
    'invalid_input',
    `${file}: none of its ${d.rowsRead} rows became an example (${why}), so no dataset was created; fix the rows or the column mapping and import again.`,
  );
}

async function streamRows(
  db: Db,
  dataset: Dataset,
  path: string,
  importOptions: ImportOptions,
  input: ImportDatasetInput,
  rt: ImportRuntime,
): Promise<ImportReport | null> {
  const resumeLine = dataset.resumeLine;
  // Text key -> first line, rebuilt from what is stored when resuming.
  const seen = new Map<string, number>();
  if (!input.keepDuplicates) for (const k of datasetExampleKeys(db, dataset.id)) seen.set(textKey(k.text), k.line);
  const fixedSplit: Split | null = input.split.mode === 'fixed' ? input.split.split : null;
  const spanStatus = input.importedSpanSource === 'gold' ? 'accepted' : 'pending';
  const importer = rt.importer ?? importFile;

  const commit = db.transaction((b: Batch) => {
    for (const ex of b.examples) {
      const id = insertExample(db, dataset.id, ex.line, ex.text, ex.label ?? null, fixedSplit);
      for (const s of ex.spans ?? []) {
        insertSpan(db, {
          exampleId: id,
          start: s.start,
          end: s.end,
          type: s.type,
          source: input.importedSpanSource,
          status: spanStatus,
          labeler: 'import',
        });
      }
    }
    datasets.addImportProgress(db, dataset.id, {
      resumeLine: b.lastLine,
      rowsRead: b.rowsRead,
      examples: b.examples.length,
      skipped: b.skipped.length,
      duplicates: b.duplicateRows.length,
      newSkippedRows: b.skipped,
      newDuplicateRows: b.duplicateRows,
    });
  });

  let batch = emptyBatch(resumeLine);
  let bytes = { bytesRead: 0, totalBytes: 0 };
  let report: ImportReport | null = null;
  const flush = (): void => {
    if (batch.rowsRead === 0) return;
    commit.immediate(batch);
    batch = emptyBatch(batch.lastLine);
    const d = datasets.getDataset(db, dataset.id);
    rt.onEvent?.({
      kind: 'progress',
      ...bytes,
      rowsRead: d.rowsRead,
      examples: d.examples,
      skipped: d.skipped,
      duplicates: d.duplicates,
    });
  };

  for await (const ev of importer(path, importOptions)) {
    if (rt.signal?.aborted) {
      throw new ServiceError('cancelled', `Import of ${path} was cancelled; nothing of it was kept.`);
    }
    if (ev.kind === 'progress') {
      bytes = { bytesRead: ev.bytesRead, totalBytes: ev.totalBytes };
      continue;
    }
    if (ev.kind === 'done') {
      report = ev.report;
      continue;
    }
    const line = ev.kind === 'example' ? ev.example.line : ev.row.line;
    if (line <= resumeLine) continue; // committed by the interrupted run
    batch.rowsRead++;
    batch.lastLine = line;
    if (ev.kind === 'skipped') {
      batch.skipped.push(ev.row);
    } else {
      const reason = invalidReason(ev.example);
      if (reason !== null) {
        batch.skipped.push({ line, reason });
      } else if (!input.keepDuplicates && seen.has(textKey(ev.example.text))) {
        batch.duplicateRows.push({ line, firstLine: seen.get(textKey(ev.example.text)) ?? 0 });
      } else {
        if (!input.keepDuplicates) seen.set(textKey(ev.example.text), line);
        batch.examples.push(ev.example);
      }
    }
    if (batch.rowsRead >= input.batchSize) flush();
  }
  flush();
  return report;
}
