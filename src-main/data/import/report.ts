import { createHash } from 'node:crypto';
import type { DuplicateRow, ImportedExample, ImportFormat, ImportReport, SkippedRow } from '../types';
import type { TextEncoding } from './source';

const KEEP = 1000;

/** Counts rows, skips and duplicate texts while an import streams; builds the final report. */
export class ReportBuilder {
  rowsRead = 0;
  private examples = 0;
  private skipped = 0;
  private duplicates = 0;
  private readonly skippedRows: SkippedRow[] = [];
  private readonly duplicateRows: DuplicateRow[] = [];
  private readonly labels = new Set<string>();
  private readonly entityTypes = new Set<string>();
  // Text digests, not texts, so memory stays small for big files.
  private readonly seen = new Map<string, number>();
  readonly notes: string[] = [];

  /** Records an example and returns it, marked with `duplicateOf` when its text was seen before. */
  example(ex: ImportedExample): ImportedExample {
    this.examples++;
    if (ex.label !== undefined) this.labels.add(ex.label);
    for (const s of ex.spans ?? []) this.entityTypes.add(s.type);
    const digest = createHash('sha1').update(ex.text).digest('base64');
    const first = this.seen.get(digest);
    if (first === undefined) {
      this.seen.set(digest, ex.line);
      return ex;
    }
    this.duplicates++;
    if (this.duplicateRows.length < KEEP) this.duplicateRows.push({ line: ex.line, firstLine: first });
    return { ...ex, duplicateOf: first };
  }

  /** Records a skipped row and returns it. */
  skip(line: number, reason: string): SkippedRow {
    this.skipped++;
    const row = { line, reason };
    if (this.skippedRows.length < KEEP) this.skippedRows.push(row);
    return row;
  }

  /** The finished report. */
  build(path: string, format: ImportFormat, encoding: TextEncoding): ImportReport {
    return {
      path,
      format,
      encoding,
      rowsRead: this.rowsRead,
      examples: this.examples,
      skipped: this.skipped,
      duplicates: this.duplicates,
      skippedRows: this.skippedRows,
      duplicateRows: this.duplicateRows,
      labels: [...this.labels],
      entityTypes: [...this.entityTypes],
      notes: this.notes,
    };
  }
}

export type LabelResult =
  { readonly ok: true; readonly label: string } | { readonly ok: false; readonly reason: string };

/**
 * Checks a raw class label against the allowed set. Integers 1..n map to labels[i-1] (AG News writes
 * classes 1-4), so the same file imports whether it holds names or numbers.
 */
export function resolveLabel(raw: string, labels: readonly string[] | undefined): LabelResult {
  const value = raw.trim();
  if (!labels) return { ok: true, label: value };
  if (labels.includes(value)) return { ok: true, label: value };
  if (/^\d+$/.test(value)) {
    const i = Number(value);
    if (i >= 1 && i <= labels.length) return { ok: true, label: labels[i - 1] };
  }
  return {
    ok: false,
    reason: `unknown label "${value}"; expected one of ${labels.map((l) => `"${l}"`).join(', ')} or 1..${labels.length}. Fix the row or add the label to the label set`,
  };
}
