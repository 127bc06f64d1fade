import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { misalignedSpans, spansToBio } from '../align/bio';
import { tokenizeWords, type WordToken } from '../align/words';
import type { CharSpan } from '../types';

/** What an exporter needs from an example (ImportedExample and stored examples both fit). */
export interface ExportableExample {
  readonly text: string;
  readonly label?: string;
  readonly spans?: readonly CharSpan[];
  /** Word tokens when known (CoNLL imports); otherwise the text is split with tokenizeWords. */
  readonly tokens?: readonly string[];
}

export type ExportFormat = 'conll' | 'jsonl' | 'csv';

export interface ExportReport {
  readonly path: string;
  readonly format: ExportFormat;
  readonly examples: number;
  readonly spans: number;
  /** Spans whose edges fell inside a word; CoNLL export widened them to whole words. */
  readonly widenedSpans: number;
}

/** One JSONL line: {text, label?, spans:[{start,end,label}]} (Prodigy's span shape, readable by our importer). */
export function toJsonlLine(ex: ExportableExample): string {
  const out: { text: string; label?: string; spans?: { start: number; end: number; label: string }[] } = {
    text: ex.text,
  };
  if (ex.label !== undefined) out.label = ex.label;
  if (ex.spans) out.spans = ex.spans.map((s) => ({ start: s.start, end: s.end, label: s.type }));
  return JSON.stringify(out);
}

// Words with offsets: the given tokens when they rebuild the text with single spaces; else the text's
// whitespace-separated words when every span edge falls on a word edge (the text comes back from the CoNLL
// file unchanged, but for runs of whitespace, which become one space); else tokenizeWords, which also splits
// off punctuation so that spans inside "Paris," keep their edges.
function wordsOf(ex: ExportableExample): WordToken[] {
  if (ex.tokens && ex.tokens.join(' ') === ex.text && ex.tokens.every((t) => t.length > 0 && !/\s/.test(t))) {
    let pos = 0;
    return ex.tokens.map((t) => {
      const w = { text: t, start: pos, end: pos + t.length };
      pos += t.length + 1;
      return w;
    });
  }
  const words = [...ex.text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
  if (misalignedSpans(words, ex.spans ?? []).length === 0) return words;
  return tokenizeWords(ex.text);
}

/** The comment line that carries a sentence's class label in our CoNLL files ("# label = World"). */
export const CONLL_LABEL_PREFIX = '# label = ';

/** One CSV field, quoted (RFC 4180) when it holds a comma, quote, newline or edge whitespace. */
function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The header row of our CSV export. */
export const CSV_HEADER = 'text,label,spans';

/** One CSV row: text, label (empty when none), spans as JSON [{start,end,label}] (empty when none). */
export function toCsvRow(ex: ExportableExample): string {
  const spans =
    ex.spans && ex.spans.length > 0
      ? JSON.stringify(ex.spans.map((s) => ({ start: s.start, end: s.end, label: s.type })))
      : '';
  return [csvField(ex.text), csvField(ex.label ?? ''), csvField(spans)].join(',');
}

/** One CoNLL sentence ("token TAG" lines, IOB2, never I- without B-) and how many spans had to be widened. */
export function toConllBlock(ex: ExportableExample): { readonly block: string; readonly widened: number } {
  const words = wordsOf(ex);
  const spans = ex.spans ?? [];
  const tags = spansToBio(words, spans);
  const lines = words.map((w, i) => `${w.text} ${tags[i]}`);
  // The class label rides on a comment line before the sentence (read back by our CoNLL importer).
  if (ex.label !== undefined) lines.unshift(`${CONLL_LABEL_PREFIX}${ex.label}`);
  return { block: lines.join('\n'), widened: misalignedSpans(words, spans).length };
}

/**
 * Writes examples to `path` as CoNLL, JSONL or CSV, streaming with back-pressure; the file appears only when
 * complete (written to a temporary name, then renamed). CoNLL carries a class label on a "# label = X" line
 * before its sentence; CSV has the columns text,label,spans (spans as JSON); our importers read all three back.
 */
export async function exportFile(
  path: string,
  examples: Iterable<ExportableExample> | AsyncIterable<ExportableExample>,
  format: ExportFormat,
): Promise<ExportReport> {
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let count = 0;
  let spans = 0;
  let widened = 0;
  try {
    if (format === 'csv') out.write(`${CSV_HEADER}\r\n`);
    for await (const ex of examples) {
      let chunk: string;
      if (format === 'jsonl') {
        chunk = `${toJsonlLine(ex)}\n`;
      } else if (format === 'csv') {
        chunk = `${toCsvRow(ex)}\r\n`;
      } else {
        const b = toConllBlock(ex);
        widened += b.widened;
        chunk = `${b.block}\n\n`;
      }
      count++;
      spans += ex.spans?.length ?? 0;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  return { path, format, examples: count, spans, widenedSpans: widened };
}
