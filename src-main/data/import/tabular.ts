import type { ColumnMapping, ColumnRef, ImportedExample } from '../types';
import type { CsvRecord } from './csv';
import { ImportError } from './errors';
import { parseSpanCell } from './jsonl';
import { resolveLabel } from './report';

const TEXT_NAMES = ['text', 'sentence', 'content', 'body', 'document', 'review', 'utterance', 'description'];
const LABEL_NAMES = ['label', 'labels', 'class', 'category', 'target', 'topic', 'intent', 'sentiment'];

/** Where text and label live in a CSV/TSV file, decided from the first record and the user's mapping. */
export interface TabularLayout {
  readonly header: boolean;
  readonly columns: readonly string[];
  readonly textIdx: readonly number[];
  readonly labelIdx: number | null;
  /** A header column named "spans" (JSON list of spans, as our CSV export writes), read with one text column. */
  readonly spansIdx: number | null;
  readonly mapping: ColumnMapping;
}

/** Outcome of one record: an example, a skip with its reason, or the header row. */
export type RowResult =
  | { readonly kind: 'example'; readonly example: ImportedExample }
  | { readonly kind: 'skipped'; readonly line: number; readonly reason: string }
  | { readonly kind: 'header' };

function looksLikeHeader(fields: readonly string[]): boolean {
  const names = new Set([...TEXT_NAMES, ...LABEL_NAMES, 'title', 'id']);
  return fields.some((f) => names.has(f.trim().toLowerCase()) || /^\w*(?:text|label)\w*$/i.test(f.trim()));
}

// Exact known name first ("text"), then a column whose name contains one ("review_text").
function findColumn(lower: readonly string[], names: readonly string[]): number | undefined {
  const exact = names.map((n) => lower.indexOf(n)).find((i) => i >= 0);
  return exact ?? names.map((n) => lower.findIndex((c) => c.includes(n))).find((i) => i >= 0);
}

function refs(r: ColumnRef | readonly ColumnRef[]): readonly ColumnRef[] {
  return typeof r === 'string' || typeof r === 'number' ? [r] : r;
}

function quoteList(names: readonly string[]): string {
  return names.map((c) => `"${c}"`).join(', ');
}

// Finds the default text/label columns when the user gave no mapping.
function defaultMapping(path: string, line: number, header: boolean, columns: readonly string[]): ColumnMapping {
  if (header) {
    const lower = columns.map((c) => c.trim().toLowerCase());
    const label = findColumn(lower, LABEL_NAMES);
    let text = findColumn(lower, TEXT_NAMES);
    if (text === undefined && columns.length === 2 && label !== undefined) text = 1 - label;
    if (text === undefined) {
      throw new ImportError(
        path,
        line,
        `no text column found among ${quoteList(columns)}`,
        'choose one, e.g. columns: { textColumn: "<name>", labelColumn: "<name>" }',
      );
    }
    return label === undefined ? { textColumn: text, header } : { textColumn: text, labelColumn: label, header };
  }
  // Without a header: AG News layouts (label,text) and (class,title,description).
  if (columns.length === 1) return { textColumn: 0, header };
  if (columns.length === 2) return { textColumn: 1, labelColumn: 0, header };
  if (columns.length === 3) return { textColumn: [1, 2], labelColumn: 0, header };
  throw new ImportError(
    path,
    line,
    `${columns.length} columns and no header, so the text column cannot be guessed`,
    'pass columns: { textColumn: <index>, labelColumn: <index> } (0-based) or add a header row',
  );
}

function resolveRef(path: string, line: number, ref: ColumnRef, columns: readonly string[], header: boolean): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref >= columns.length) {
      throw new ImportError(
        path,
        line,
        `column index ${ref} does not exist; the first row has ${columns.length} columns (0-based indexes 0..${columns.length - 1})`,
        'pick an index in that range or check the delimiter',
      );
    }
    return ref;
  }
  if (!header) {
    throw new ImportError(
      path,
      line,
      `column "${ref}" is given by name but the file has no header row`,
      'use a 0-based column index, or set header: true if the first row holds names',
    );
  }
  const exact = columns.indexOf(ref);
  const idx = exact >= 0 ? exact : columns.findIndex((c) => c.trim().toLowerCase() === ref.trim().toLowerCase());
  if (idx < 0) {
    throw new ImportError(
      path,
      line,
      `no column named "${ref}"; the columns are ${quoteList(columns)}`,
      'use one of those names (or a 0-based index) in the column mapping',
    );
  }
  return idx;
}

/** Decides header, column names and text/label indexes from the first record; throws ImportError on a bad mapping. */
export function planColumns(path: string, first: CsvRecord, mapping: ColumnMapping | undefined): TabularLayout {
  const usesNames =
    mapping !== undefined &&
    [...refs(mapping.textColumn), ...(mapping.labelColumn === undefined ? [] : [mapping.labelColumn])].some(
      (r) => typeof r === 'string',
    );
  const header = mapping?.header ?? (usesNames || looksLikeHeader(first.fields));
  const columns = header ? first.fields.map((f) => f.trim()) : first.fields.map((_, i) => `column ${i + 1}`);
  const m = mapping ?? defaultMapping(path, first.line, header, columns);
  const textIdx = refs(m.textColumn).map((r) => resolveRef(path, first.line, r, columns, header));
  const labelIdx = m.labelColumn === undefined ? null : resolveRef(path, first.line, m.labelColumn, columns, header);
  const spansAt = header && textIdx.length === 1 ? columns.findIndex((c) => c.toLowerCase() === 'spans') : -1;
  const spansIdx = spansAt >= 0 && spansAt !== labelIdx && spansAt !== textIdx[0] ? spansAt : null;
  return { header, columns, textIdx, labelIdx, spansIdx, mapping: { ...m, header } };
}

/** Turns one record into an example or a skip reason (missing columns, empty text, unknown label, bad quoting). */
export function mapRecord(
  rec: CsvRecord,
  layout: TabularLayout,
  labels: readonly string[] | undefined,
  isFirst: boolean,
  types?: readonly string[],
): RowResult {
  if (isFirst && layout.header) return { kind: 'header' };
  if (rec.problem) return { kind: 'skipped', line: rec.line, reason: `bad quoting: ${rec.problem}` };
  if (rec.fields.length === 1 && rec.fields[0].trim() === '')
    return { kind: 'skipped', line: rec.line, reason: 'empty row' };
  const need = Math.max(...layout.textIdx, layout.labelIdx ?? -1);
  if (rec.fields.length <= need) {
    return {
      kind: 'skipped',
      line: rec.line,
      reason: `row has ${rec.fields.length} field(s) but column "${layout.columns[need]}" is field ${need + 1}; check the delimiter and that commas inside text are quoted`,
    };
  }
  const text = layout.textIdx
    .map((i) => rec.fields[i].trim())
    .filter((t) => t.length > 0)
    .join(' ');
  if (text.length === 0)
    return {
      kind: 'skipped',
      line: rec.line,
      reason: `empty text in column "${layout.textIdx.map((i) => layout.columns[i]).join('" + "')}"`,
    };
  const cell = layout.spansIdx === null ? '' : (rec.fields[layout.spansIdx] ?? '').trim();
  const spans = cell === '' ? [] : parseSpanCell(cell, text, types);
  if (typeof spans === 'string') return { kind: 'skipped', line: rec.line, reason: spans };
  const base: ImportedExample = spans.length > 0 ? { line: rec.line, text, spans } : { line: rec.line, text };
  if (layout.labelIdx === null) return { kind: 'example', example: base };
  const raw = rec.fields[layout.labelIdx].trim();
  if (raw === '') {
    if (labels)
      return {
        kind: 'skipped',
        line: rec.line,
        reason: `empty label in column "${layout.columns[layout.labelIdx]}"; fill it in or remove the label set to import unlabelled rows`,
      };
    return { kind: 'example', example: base };
  }
  const label = resolveLabel(raw, labels);
  if (!label.ok) return { kind: 'skipped', line: rec.line, reason: label.reason };
  return { kind: 'example', example: { ...base, label: label.label } };
}
