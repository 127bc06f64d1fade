// exportDataset: writes a dataset's annotations as CoNLL (IOB2), span JSONL or CSV, only inside the chosen folder.
import { z } from 'zod';
import type { Db } from '../../store/db';
import { getDataset } from '../../store/repos/datasets';
import { spansOfExamples } from '../../store/repos/spans';
import type { Span, SpanSource } from '../../store/types';
import { exportFile, type ExportableExample, type ExportReport } from '../../data/export';
import type { CharSpan } from '../../data/types';
import { ServiceError } from '../api';
import { IdSchema } from '../projects/ids';
import { resolveExportPath } from './paths';

export const ExportFormatSchema = z.enum(['conll', 'jsonl', 'csv']);
/** Sources exported besides gold: silver (labeler proposals) and model (predictions), each only when asked. */
export const ExtraSourceSchema = z.enum(['silver', 'model']);

export const ExportDatasetInput = z.object({
  datasetId: IdSchema,
  /** Absolute path of an existing folder; the file is written inside it and nowhere else. */
  folder: z.string().min(1),
  /** File name (or sub-path) inside the folder; "..", absolute names and symlinks out are refused. */
  fileName: z.string().min(1).max(255),
  format: ExportFormatSchema,
  /** One split, or every example ('all'). */
  split: z.enum(['train', 'dev', 'test', 'all']).default('all'),
  /** Gold is always exported; these sources are added where gold says nothing (no overlap, no gold class). */
  include: z.array(ExtraSourceSchema).max(2).default([]),
  /** Which spans count: accepted ones only, or every span a person has not rejected. */
  spans: z.enum(['accepted', 'notRejected']).default('notRejected'),
  onlyReviewed: z.boolean().default(false),
});
export type ExportDatasetInput = z.output<typeof ExportDatasetInput>;

const PAGE = 1000;
// Where two kept spans overlap, the more trusted source wins: gold, then silver, then model.
const RANK: Readonly<Record<SpanSource, number>> = { gold: 0, silver: 1, model: 2 };

interface ExampleRow {
  readonly id: number;
  readonly text: string;
  readonly classLabel: string | null;
  readonly labelSource: SpanSource | null;
  readonly modelLabel: string | null;
}

/** The spans to write for one example: the chosen sources and statuses, overlaps resolved by trust. */
export function exportedSpans(
  spans: readonly Span[],
  input: Pick<ExportDatasetInput, 'include' | 'spans'>,
): CharSpan[] {
  const wanted = (s: Span): boolean =>
    (s.source === 'gold' || input.include.includes(s.source)) &&
    (input.spans === 'accepted' ? s.status === 'accepted' : s.status !== 'rejected');
  const kept: Span[] = [];
  const ranked = spans.filter(wanted).sort((a, b) => RANK[a.source] - RANK[b.source] || a.start - b.start);
  for (const s of ranked) if (!kept.some((k) => k.start < s.end && s.start < k.end)) kept.push(s);
  return kept
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((s) => ({ start: s.start, end: s.end, type: s.type }));
}

/** The class label to write: gold (or unsourced), else silver or the model's prediction when included. */
export function exportedLabel(row: ExampleRow, include: ExportDatasetInput['include']): string | undefined {
  if (row.classLabel !== null) {
    const source = row.labelSource ?? 'gold';
    if (source === 'gold' || include.includes(source)) return row.classLabel;
  }
  if (include.includes('model') && row.modelLabel !== null) return row.modelLabel;
  return undefined;
}

/** Reads examples page by page, so the connection is free for other requests between pages. */
function* pages(db: Db, input: ExportDatasetInput): Generator<ExportableExample> {
  const split = input.split === 'all' ? null : input.split;
  const select = db.prepare<[number, string | null, string | null, number, number], ExampleRow>(
    `SELECT id, text, class_label AS classLabel, label_source AS labelSource, model_label AS modelLabel
     FROM examples WHERE dataset_id = ? AND (? IS NULL OR split = ?)
     AND (? = 0 OR status = 'reviewed') AND id > ? ORDER BY id LIMIT ${PAGE}`,
  );
  let after = 0;
  for (;;) {
    const rows = select.all(input.datasetId, split, split, input.onlyReviewed ? 1 : 0, after);
    if (rows.length === 0) return;
    const spans = spansOfExamples(
      db,
      rows.map((r) => r.id),
    );
    for (const r of rows) {
      const label = exportedLabel(r, input.include);
      yield {
        text: r.text,
        ...(label !== undefined ? { label } : {}),
        spans: exportedSpans(spans.get(r.id) ?? [], input),
      };
    }
    after = rows[rows.length - 1].id;
  }
}

/** Exports a ready dataset; the file appears only when complete. Model output only when `include` names it. */
export async function exportDataset(db: Db, input: ExportDatasetInput): Promise<ExportReport> {
  const d = getDataset(db, input.datasetId);
  if (d.status !== 'ready')
    throw new ServiceError('conflict', `Dataset "${d.name}" is still importing; finish the import before exporting.`);
  const target = resolveExportPath(input.folder, input.fileName);
  return exportFile(target, pages(db, input), input.format);
}
