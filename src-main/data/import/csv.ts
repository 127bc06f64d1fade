// Streaming RFC 4180 parser: quoted fields may hold delimiters, doubled quotes and newlines.
// It keeps state across chunks, so memory stays flat however large the file is.

/** One parsed record; `problem` is set when its quoting is malformed (the row should be skipped). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
  readonly problem?: string;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  AfterClose,
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvParser {
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private problem: string | undefined;
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private inRecord = false;
  private skipLF = false;
  private readonly delim: number;

  /** `quoting` false reads quotes as plain characters (TSV, where fields never contain tabs or newlines). */
  constructor(
    delimiter: string,
    private readonly quoting: boolean,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Parses the next piece of text and returns the records it completed. */
  feed(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.skipLF) {
        this.skipLF = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      if (!this.inRecord) {
        this.inRecord = true;
        this.recordLine = this.line;
      }
      switch (this.state) {
        case State.FieldStart:
        case State.Unquoted: {
          if (this.state === State.FieldStart && c === QUOTE && this.quoting) {
            this.state = State.Quoted;
            this.quoteLine = this.line;
            i++;
            break;
          }
          // Take the run of ordinary characters in one slice; a quote inside an unquoted field is kept
          // literally (as Python's csv module does) since `5" screen` is common in real files.
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === this.delim || d === LF || d === CR) break;
            j++;
          }
          this.field += text.slice(i, j);
          this.state = State.Unquoted;
          i = j;
          if (i < n) i = this.endOfField(text, i, out);
          break;
        }
        case State.Quoted: {
          const q = text.indexOf('"', i);
          const end = q < 0 ? n : q;
          const piece = text.slice(i, end);
          this.line += countLines(piece);
          this.field += piece;
          i = end;
          if (q >= 0) {
            this.state = State.QuoteInQuoted;
            i++;
          }
          break;
        }
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            i++;
          } else {
            this.state = State.AfterClose;
          }
          break;
        case State.AfterClose:
          if (c === this.delim || c === LF || c === CR) {
            i = this.endOfField(text, i, out);
          } else {
            this.problem ??= `text after a closing quote at line ${this.line}; double the quotes inside quoted fields ("") or remove the stray quote`;
            this.field += text[i];
            i++;
          }
          break;
      }
    }
    return out;
  }

  /** Flushes the last record; returns an unterminated-quote description (with its line) when the file ends inside quotes. */
  end(): { readonly records: CsvRecord[]; readonly unterminatedQuoteLine: number | null } {
    if (this.state === State.Quoted) return { records: [], unterminatedQuoteLine: this.quoteLine };
    const records: CsvRecord[] = [];
    if (this.inRecord) records.push(this.finishRecord());
    return { records, unterminatedQuoteLine: null };
  }

  // Handles the delimiter or newline at text[i]; returns the next index.
  private endOfField(text: string, i: number, out: CsvRecord[]): number {
    const c = text.charCodeAt(i);
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
    if (c === this.delim) return i + 1;
    this.line++;
    if (c === CR) this.skipLF = true;
    out.push(this.finishRecord(true));
    return i + 1;
  }

  private finishRecord(fieldPushed = false): CsvRecord {
    if (!fieldPushed) this.fields.push(this.field);
    const rec: CsvRecord = this.problem
      ? { line: this.recordLine, fields: this.fields, problem: this.problem }
      : { line: this.recordLine, fields: this.fields };
    this.fields = [];
    this.field = '';
    this.problem = undefined;
    this.inRecord = false;
    this.state = State.FieldStart;
    return rec;
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
  return n;
}
