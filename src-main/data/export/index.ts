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

export type ExportFormat = 'conll' | 'jsonl';

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

// Words with offsets: the given tokens when they rebuild the text with single spaces, else tokenizeWords.
function wordsOf(ex: ExportableExample): WordToken[] {
  if (ex.tokens && ex.tokens.join(' ') === ex.text && ex.tokens.every((t) => t.length > 0 && !/\s/.test(t))) {
    let pos = 0;
    return ex.tokens.map((t) => {
      const w = { text: t, start: pos, end: pos + t.length };
      pos += t.length + 1;
      return w;
    });
  }
  return tokenizeWords(ex.text);
}

/** One CoNLL sentence ("token TAG" lines, IOB2, never I- without B-) and how many spans had to be widened. */
export function toConllBlock(ex: ExportableExample): { readonly block: string; readonly widened: number } {
  const words = wordsOf(ex);
  const spans = ex.spans ?? [];
  const tags = spansToBio(words, spans);
  const block = words.map((w, i) => `${w.text} ${tags[i]}`).join('\n');
  return { block, widened: misalignedSpans(words, spans).length };
}

/**
 * Writes examples to `path` as CoNLL or JSONL, streaming with back-pressure; the file appears only when
 * complete (written to a temporary name, then renamed). CoNLL keeps text and spans, not class labels.
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
    for await (const ex of examples) {
      let chunk: string;
      if (format === 'jsonl') {
        chunk = `${toJsonlLine(ex)}\n`;
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
