import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ImportError } from './errors';

export type TextEncoding = 'utf-8' | 'latin1';

/** A decoded piece of the file and how many bytes have been read so far. */
export interface TextChunk {
  readonly text: string;
  readonly bytesRead: number;
}

const CHUNK = 1 << 20;

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw new ImportError(
      path,
      null,
      `cannot read the file (${(err as Error).message})`,
      'check the path and permissions',
    );
  }
}

// Finds the first invalid UTF-8 sequence in `buf`; -1 when the only problem is a sequence cut at the chunk end.
function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    // Second-byte limits exclude overlong forms, surrogates and code points past U+10FFFF.
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      if (i + k >= buf.length) return -1;
      const c = buf[i + k];
      if (k === 1 ? c < lo || c > hi : (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

function countNewlines(buf: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (buf[i] === 10) n++;
  return n;
}

/**
 * Reads the whole file once to decide how to decode it: UTF-8 (BOM allowed), or latin-1 when it is not
 * valid UTF-8 and `latin1Fallback` is set. UTF-16 and binary files are refused with the command that converts them.
 */
export async function detectEncoding(path: string, latin1Fallback: boolean): Promise<TextEncoding> {
  await fileSize(path);
  const head = Buffer.alloc(4096);
  const fh = await open(path, 'r');
  let headLen: number;
  try {
    headLen = (await fh.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  if (headLen >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    throw new ImportError(
      path,
      1,
      'the file is UTF-16 (it starts with a UTF-16 byte order mark)',
      `convert it to UTF-8, e.g. \`iconv -f UTF-16 -t UTF-8 "${path}" > converted.csv\`, or re-save it as "CSV UTF-8"`,
    );
  }
  if (head.subarray(0, headLen).includes(0)) {
    throw new ImportError(
      path,
      1,
      'the file contains NUL bytes, so it is UTF-16 without a byte order mark or not text at all',
      `convert it to UTF-8, e.g. \`iconv -f UTF-16LE -t UTF-8 "${path}" > converted.csv\``,
    );
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for await (const raw of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = raw as Buffer;
    try {
      decoder.decode(buf, { stream: true });
      line += countNewlines(buf, buf.length);
    } catch {
      if (latin1Fallback) return 'latin1';
      const at = firstInvalidUtf8(buf);
      const where = line + countNewlines(buf, at < 0 ? 0 : at);
      throw new ImportError(
        path,
        where,
        'the file is not valid UTF-8 (probably latin-1 / Windows-1252)',
        `convert it, e.g. \`iconv -f WINDOWS-1252 -t UTF-8 "${path}" > converted.csv\`, or import with the latin-1 conversion option (latin1Fallback: true)`,
      );
    }
  }
  try {
    decoder.decode();
  } catch {
    if (latin1Fallback) return 'latin1';
    throw new ImportError(
      path,
      line,
      'the file ends in the middle of a UTF-8 character (it was cut short)',
      'check that the file was copied completely',
    );
  }
  return 'utf-8';
}

/** Streams the file as decoded text chunks (BOM removed), with bytes read for progress. */
export async function* readText(path: string, encoding: TextEncoding): AsyncGenerator<TextChunk> {
  // WHATWG 'latin1' is Windows-1252, the usual meaning of "latin-1" for files saved by spreadsheets.
  const decoder = new TextDecoder(encoding === 'utf-8' ? 'utf-8' : 'windows-1252', { ignoreBOM: false });
  let bytesRead = 0;
  for await (const raw of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = raw as Buffer;
    bytesRead += buf.length;
    const text = decoder.decode(buf, { stream: true });
    if (text.length > 0) yield { text, bytesRead };
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield { text: tail, bytesRead };
}

/** Size of the file in bytes (for progress totals). */
export async function totalBytes(path: string): Promise<number> {
  return fileSize(path);
}

/** Splits text chunks into lines (without "\n" / "\r\n"), numbered from 1. */
export async function* readLines(
  chunks: AsyncIterable<TextChunk>,
): AsyncGenerator<{ readonly line: number; readonly text: string; readonly bytesRead: number }> {
  let carry = '';
  let line = 0;
  let bytes = 0;
  for await (const { text, bytesRead } of chunks) {
    bytes = bytesRead;
    const s = carry + text;
    let from = 0;
    for (let nl = s.indexOf('\n', from); nl >= 0; nl = s.indexOf('\n', from)) {
      const end = nl > from && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line: ++line, text: s.slice(from, end), bytesRead: bytes };
      from = nl + 1;
    }
    carry = s.slice(from);
  }
  if (carry.length > 0)
    yield { line: line + 1, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, bytesRead: bytes };
}
