// Reads a labelled file for the health check, numbering its records as data rows (1-based, header excluded,
// rows the importer skipped still counted), so findings can be checked against the file itself.
import { importFile } from '../../data/import';
import type { CharSpan } from '../../data/types';
import { ServiceError } from '../api/errors';

/** One record of the file. */
export interface DataRow {
  /** 1-based data-row number: the n-th record of the file, header excluded. */
  readonly row: number;
  readonly text: string;
  readonly label?: string;
  readonly spans?: readonly CharSpan[];
}

export interface ReadRows {
  readonly path: string;
  readonly rows: readonly DataRow[];
  /** Records the importer could not read, with their data-row number and why. */
  readonly skipped: readonly { readonly row: number; readonly reason: string }[];
}

/** All readable records of a file (CSV/TSV label,text; JSONL; CoNLL), numbered as data rows. */
export async function readDataRows(path: string): Promise<ReadRows> {
  const rows: DataRow[] = [];
  const skipped: { row: number; reason: string }[] = [];
  let n = 0;
  for await (const ev of importFile(path)) {
    if (ev.kind === 'example') {
      const e = ev.example;
      rows.push({
        row: ++n,
        text: e.text,
        ...(e.label !== undefined && { label: e.label }),
        ...(e.spans && { spans: e.spans }),
      });
    } else if (ev.kind === 'skipped') {
      skipped.push({ row: ++n, reason: ev.row.reason });
    }
  }
  if (rows.length === 0) {
    throw new ServiceError(
      'invalid_input',
      `${path}: no examples were read; check the file's format and columns (expected label,text for CSV).`,
    );
  }
  return { path, rows, skipped };
}
