// exportDataset: writes a dataset's examples and spans as JSONL or CoNLL, only inside the chosen folder.
import { z } from 'zod';
import type { Db } from '../../store/db';
import { getDataset } from '../../store/repos/datasets';
import { spansOfExamples } from '../../store/repos/spans';
import { exportFile, type ExportableExample, type ExportReport } from '../../data/export';
import { ServiceError } from '../api';
import { IdSchema } from '../projects/ids';
import { resolveExportPath } from './paths';

export const ExportDatasetInput = z.object({
  datasetId: IdSchema,
  /** Absolute path of an existing folder; the file is written inside it and nowhere else. */
  folder: z.string().min(1),
  /** File name (or sub-path) inside the folder; "..", absolute names and symlinks out are refused. */
  fileName: z.string().min(1).max(255),
  format: z.enum(['jsonl', 'conll']),
  split: z.enum(['train', 'dev', 'test']).optional(),
  /** Which spans to write: accepted ones only, or every span a person has not rejected (silver included). */
  spans: z.enum(['accepted', 'notRejected']).default('notRejected'),
  onlyReviewed: z.boolean().default(false),
});
export type ExportDatasetInput = z.output<typeof ExportDatasetInput>;

const PAGE = 1000;

/** Reads examples page by page, so the connection is free for other requests between pages. */
function* pages(db: Db, input: ExportDatasetInput): Generator<ExportableExample> {
  const select = db.prepare<
    [number, string | null, string | null, number, number],
    { id: number; text: string; class_label: string | null }
  >(
    `SELECT id, text, class_label FROM examples WHERE dataset_id = ? AND (? IS NULL OR split = ?)
     AND (? = 0 OR status = 'reviewed') AND id > ? ORDER BY id LIMIT ${PAGE}`,
  );
  let after = 0;
  for (;;) {
    const rows = select.all(
      input.datasetId,
      input.split ?? null,
      input.split ?? null,
      input.onlyReviewed ? 1 : 0,
      after,
    );
    if (rows.length === 0) return;
    const spans = spansOfExamples(
      db,
      rows.map((r) => r.id),
    );
    for (const r of rows) {
      const kept = (spans.get(r.id) ?? []).filter(
        (s) => s.source !== 'model' && (input.spans === 'accepted' ? s.status === 'accepted' : s.status !== 'rejected'),
      );
      yield {
        text: r.text,
        ...(r.class_label !== null ? { label: r.class_label } : {}),
        spans: kept.map((s) => ({ start: s.start, end: s.end, type: s.type })),
      };
    }
    after = rows[rows.length - 1].id;
  }
}

/** Exports a ready dataset; the file appears only when complete. Model predictions are never exported. */
export async function exportDataset(db: Db, input: ExportDatasetInput): Promise<ExportReport> {
  const d = getDataset(db, input.datasetId);
  if (d.status !== 'ready')
    throw new ServiceError('conflict', `Dataset ${d.id} is still importing; finish the import before exporting.`);
  const target = resolveExportPath(input.folder, input.fileName);
  return exportFile(target, pages(db, input), input.format);
}
