import { extname } from 'node:path';
import type { ImportEvent, ImportFormat, ImportOptions, ImportPreview, ImportedExample } from '../types';
import { ConllReader } from './conll';
import { CsvParser, type CsvRecord } from './csv';
import { ImportError } from './errors';
import { parseJsonLine } from './jsonl';
import { ReportBuilder, resolveLabel } from './report';
import { detectEncoding, readLines, readText, totalBytes, type TextChunk, type TextEncoding } from './source';
import { mapRecord, planColumns, type TabularLayout } from './tabular';

export { ImportError } from './errors';

const EXTENSIONS: Readonly<Record<string, ImportFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.conll': 'conll',
  '.conllu': 'conll',
  '.iob': 'conll',
  '.bio': 'conll',
  '.txt': 'conll',
};

/** Format from options or the file extension (.txt is read as CoNLL, like conll2003/train.txt). */
export function detectFormat(path: string, format?: ImportFormat): ImportFormat {
  if (format) return format;
  const f = EXTENSIONS[extname(path).toLowerCase()];
  if (!f) {
    throw new ImportError(
      path,
      null,
      `cannot tell the format from the extension "${extname(path)}"`,
      `pass format: one of csv, tsv, jsonl, conll, prodigy, doccano`,
    );
  }
  return f;
}

type Step =
  | { readonly kind: 'example'; readonly example: ImportedExample }
  | { readonly kind: 'skipped'; readonly line: number; readonly reason: string };

// Each reader turns decoded text into examples/skips; importFile wraps them with progress and the report.
async function* readTabular(
  path: string,
  chunks: AsyncIterable<TextChunk>,
  format: 'csv' | 'tsv',
  options: ImportOptions,
  report: ReportBuilder,
): AsyncGenerator<Step | { readonly kind: 'bytes'; readonly bytesRead: number }> {
  const parser = new CsvParser(format === 'csv' ? ',' : '\t', format === 'csv');
  let layout: TabularLayout | null = null;
  const handle = function* (records: readonly CsvRecord[]): Generator<Step> {
    for (const rec of records) {
      if (layout === null && rec.fields.length === 1 && rec.fields[0].trim() === '' && !rec.problem) {
        // Blank lines before the first row: skip them so they do not decide the column layout.
        report.rowsRead++;
        yield { kind: 'skipped', line: rec.line, reason: 'empty row' };
        continue;
      }
      const first = layout === null;
      layout ??= planColumns(path, rec, options.columns);
      const r = mapRecord(rec, layout, options.labels, first, options.entityTypes);
      if (r.kind === 'header') {
        report.notes.push(`header row: ${layout.columns.map((c) => `"${c}"`).join(', ')}`);
        continue;
      }
      report.rowsRead++;
      yield r;
    }
  };
  for await (const chunk of chunks) {
    yield* handle(parser.feed(chunk.text));
    yield { kind: 'bytes', bytesRead: chunk.bytesRead };
  }
  const { records, unterminatedQuoteLine } = parser.end();
  if (unterminatedQuoteLine !== null) {
    throw new ImportError(
      path,
      unterminatedQuoteLine,
      'a quoted field opened on this line never closes, so the rest of the file would be one field',
      'close the quote, or double the quote characters inside the field ("")',
    );
  }
  yield* handle(records);
}

async function* readJsonl(
  chunks: AsyncIterable<TextChunk>,
  options: ImportOptions,
  report: ReportBuilder,
): AsyncGenerator<Step | { readonly kind: 'bytes'; readonly bytesRead: number }> {
  let noted = false;
  for await (const { line, text, bytesRead } of readLines(chunks)) {
    const r = parseJsonLine(line, text, options.labels, options.entityTypes);
    if (r.kind === 'blank') continue;
    report.rowsRead++;
    if (r.kind === 'example' && !noted && r.flavour !== 'jsonl') {
      report.notes.push(`records look like ${r.flavour} output`);
      noted = true;
    }
    yield r.kind === 'example' ? { kind: 'example', example: r.example } : r;
    yield { kind: 'bytes', bytesRead };
  }
}

async function* readConll(
  chunks: AsyncIterable<TextChunk>,
  options: ImportOptions,
  report: ReportBuilder,
): AsyncGenerator<Step | { readonly kind: 'bytes'; readonly bytesRead: number }> {
  const reader = new ConllReader();
  let repaired = 0;
  const types = options.entityTypes;
  const accept = (r: NonNullable<ReturnType<ConllReader['flush']>>): Step => {
    report.rowsRead++;
    if (r.kind === 'skipped') return r;
    repaired += r.repaired;
    const bad = types ? r.example.spans?.find((s) => !types.includes(s.type)) : undefined;
    if (bad && types) {
      return {
        kind: 'skipped',
        line: r.example.line,
        reason: `unknown entity type "${bad.type}"; expected one of ${types.map((t) => `"${t}"`).join(', ')}. Map it in the label scheme or add it to the types`,
      };
    }
    if (r.example.label === undefined) return { kind: 'example', example: r.example };
    const label = resolveLabel(r.example.label, options.labels);
    if (!label.ok) return { kind: 'skipped', line: r.example.line, reason: label.reason };
    return { kind: 'example', example: { ...r.example, label: label.label } };
  };
  for await (const { line, text, bytesRead } of readLines(chunks)) {
    const r = reader.line(line, text);
    if (r) yield accept(r);
    yield { kind: 'bytes', bytesRead };
  }
  const last = reader.flush();
  if (last) yield accept(last);
  report.notes.push(
    repaired > 0
      ? `IOB1 tags found: ${repaired} I- tags that open an entity were converted to B- (IOB2)`
      : 'tags are IOB2',
  );
}

/** Streams examples from a CSV/TSV/JSONL/CoNLL/Prodigy/doccano file; format from `options.format` or the extension. */
export async function* importFile(path: string, options: ImportOptions = {}): AsyncGenerator<ImportEvent> {
  const format = detectFormat(path, options.format);
  const encoding = await detectEncoding(path, options.latin1Fallback ?? false);
  const total = await totalBytes(path);
  const report = new ReportBuilder();
  if (encoding === 'latin1') report.notes.push('the file is not valid UTF-8; it was decoded as latin-1 (Windows-1252)');
  const chunks = readText(path, encoding);
  const steps =
    format === 'csv' || format === 'tsv'
      ? readTabular(path, chunks, format, options, report)
      : format === 'conll'
        ? readConll(chunks, options, report)
        : readJsonl(chunks, options, report);
  const every = options.progressEveryBytes ?? 1 << 20;
  let lastProgress = 0;
  for await (const step of steps) {
    if (step.kind === 'bytes') {
      if (step.bytesRead - lastProgress >= every) {
        lastProgress = step.bytesRead;
        yield { kind: 'progress', bytesRead: step.bytesRead, totalBytes: total };
      }
    } else if (step.kind === 'example') {
      yield { kind: 'example', example: report.example(step.example) };
    } else {
      yield { kind: 'skipped', row: report.skip(step.line, step.reason) };
    }
  }
  yield { kind: 'progress', bytesRead: total, totalBytes: total };
  yield { kind: 'done', report: report.build(path, options.format ?? format, encoding) };
}

/** Reads a whole file into memory: convenience for tests and small files (use importFile for big ones). */
export async function importAll(
  path: string,
  options: ImportOptions = {},
): Promise<{
  readonly examples: ImportedExample[];
  readonly report: Extract<ImportEvent, { kind: 'done' }>['report'];
}> {
  const examples: ImportedExample[] = [];
  for await (const ev of importFile(path, options)) {
    if (ev.kind === 'example') examples.push(ev.example);
    if (ev.kind === 'done') return { examples, report: ev.report };
  }
  throw new ImportError(
    path,
    null,
    'the import ended without a report',
    'this is a bug in the importer; please report it',
  );
}

/** First `limit` rows plus detected format, encoding and columns, for a column-mapping UI. */
export async function previewFile(path: string, options: ImportOptions = {}, limit = 20): Promise<ImportPreview> {
  const format = detectFormat(path, options.format);
  const encoding: TextEncoding = await detectEncoding(path, options.latin1Fallback ?? false);
  if (format === 'csv' || format === 'tsv') {
    const parser = new CsvParser(format === 'csv' ? ',' : '\t', format === 'csv');
    const records: CsvRecord[] = [];
    for await (const chunk of readText(path, encoding)) {
      records.push(...parser.feed(chunk.text));
      if (records.length > limit + 10) break;
    }
    if (records.length <= limit + 10) records.push(...parser.end().records);
    const firstReal = records.findIndex((r) => r.fields.length > 1 || r.fields[0].trim() !== '');
    if (firstReal < 0)
      return { format, encoding, columns: [], hasHeader: false, suggested: null, rows: [], examples: [] };
    const layout = planColumns(path, records[firstReal], options.columns);
    const from = firstReal + (layout.header ? 1 : 0);
    const body = records.slice(from, from + limit);
    const examples = body
      .map((r) => mapRecord(r, layout, options.labels, false, options.entityTypes))
      .flatMap((r) => (r.kind === 'example' ? [r.example] : []));
    return {
      format,
      encoding,
      columns: layout.columns,
      hasHeader: layout.header,
      suggested: layout.mapping,
      rows: body.map((r) => r.fields),
      examples,
    };
  }
  const examples: ImportedExample[] = [];
  for await (const ev of importFile(path, options)) {
    if (ev.kind === 'example') examples.push(ev.example);
    if (examples.length >= limit) break;
  }
  return { format, encoding, columns: [], hasHeader: false, suggested: null, rows: [], examples };
}
