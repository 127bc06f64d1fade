import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared beside the repository (data/ and models/ live there, never in the repo). */
export const SHARED_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared');
export const MINILM_DIR = join(SHARED_DIR, 'models/all-MiniLM-L6-v2');
export const AG_NEWS_DEV = join(SHARED_DIR, 'data/ag_news/dev.csv');
export const AG_NEWS_TRAIN = join(SHARED_DIR, 'data/ag_news/train.csv');
export const CONLL_VALID = join(SHARED_DIR, 'data/conll2003/valid.txt');

/** True when every path exists (tests skip with a message otherwise). */
export function allExist(...paths: readonly string[]): boolean {
  return paths.every((p) => existsSync(p));
}

/** RFC 4180 rows (quoted fields, doubled quotes, newlines inside quotes). Enough for the reference CSVs. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The `text` column of an AG News style CSV (header label,text). */
export function readAgNewsTexts(path: string): string[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const col = header.indexOf('text');
  if (col < 0) throw new Error(`${path}: no "text" column in header ${JSON.stringify(header)}`);
  return rows.map((r) => r[col]);
}

/** Sentences of a CoNLL file as word lists (first column; -DOCSTART- skipped). */
export function readConllSentences(path: string): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') {
      if (cur.length > 0) out.push(cur);
      cur = [];
      continue;
    }
    const word = line.split(' ')[0];
    if (word !== '-DOCSTART-') cur.push(word);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** First 16 hex digits of sha1(JSON.stringify(value)), as scripts/ref/tokenizer_ref.py writes them. */
export function shortHash(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
