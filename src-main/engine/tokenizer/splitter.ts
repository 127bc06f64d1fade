import {
  CHAR_FLAGS,
  F_CHINESE,
  F_CLEAN_WS,
  F_PUNCT,
  F_REMOVE,
  F_SPLIT_WS,
  lowercaseCp,
  stripAccentsCp,
} from './char-classes';

/** The BertNormalizer switches. */
export interface NormalizerOptions {
  readonly cleanText: boolean;
  readonly handleChineseChars: boolean;
  readonly stripAccents: boolean;
  readonly lowercase: boolean;
}

/**
 * Receives one normalised word: its text, its length in code points, and for each code point the
 * [start, end) UTF-16 range of the original character it came from. The arrays are scratch buffers
 * reused for the next word. Return false to stop splitting (truncation reached).
 */
export type WordSink = (
  word: string,
  cpCount: number,
  origStarts: ArrayLike<number>,
  origEnds: ArrayLike<number>,
) => boolean;

const REPLACEMENT = 0xfffd;
const CHUNK = 8192;

/**
 * BertNormalizer + BertPreTokenizer in one pass over the original string, keeping each normalised
 * code point's origin so offsets index the caller's string. Lone surrogates act as U+FFFD (what
 * UTF-8 encoding would give tokenizers).
 */
export class WordSplitter {
  private units: Uint16Array = new Uint16Array(256);
  private unitLen = 0;
  private starts: Int32Array = new Int32Array(256);
  private ends: Int32Array = new Int32Array(256);
  private cpLen = 0;
  private stopped = false;
  private readonly mapped = new Map<number, readonly number[]>();

  constructor(private readonly opts: NormalizerOptions) {}

  /** Splits text[from, to) into words; returns false when the sink asked to stop. */
  split(text: string, from: number, to: number, sink: WordSink): boolean {
    const { cleanText, handleChineseChars } = this.opts;
    this.stopped = false;
    this.cpLen = 0;
    this.unitLen = 0;
    for (let i = from; i < to && !this.stopped;) {
      let cp = text.charCodeAt(i);
      let len = 1;
      if (cp >= 0xd800 && cp < 0xe000) {
        const lo = i + 1 < to ? text.charCodeAt(i + 1) : 0;
        if (cp < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          len = 2;
        } else {
          cp = REPLACEMENT;
        }
      }
      const end = i + len;
      const f = CHAR_FLAGS[cp];
      if (cleanText && f & (F_REMOVE | F_CLEAN_WS)) {
        if (f & F_CLEAN_WS) this.flush(sink);
      } else if (handleChineseChars && f & F_CHINESE) {
        this.flush(sink);
        this.emit(cp, i, end, sink);
        this.flush(sink);
      } else {
        this.emit(cp, i, end, sink);
      }
      i = end;
    }
    this.flush(sink);
    return !this.stopped;
  }

  private emit(cp: number, start: number, end: number, sink: WordSink): void {
    if (cp < 0x80) {
      // ASCII has no marks or decompositions: only lowercase can change it.
      this.classify(this.opts.lowercase && cp >= 65 && cp <= 90 ? cp + 32 : cp, start, end, sink);
      return;
    }
    const out = this.normalizeCp(cp);
    for (let k = 0; k < out.length; k++) this.classify(out[k], start, end, sink);
  }

  private classify(cp: number, start: number, end: number, sink: WordSink): void {
    const f = CHAR_FLAGS[cp];
    if (f & F_SPLIT_WS) {
      this.flush(sink);
    } else if (f & F_PUNCT) {
      this.flush(sink);
      this.push(cp, start, end);
      this.flush(sink);
    } else {
      this.push(cp, start, end);
    }
  }

  private normalizeCp(cp: number): readonly number[] {
    let out = this.mapped.get(cp);
    if (out === undefined) {
      // tokenizers strips accents before lowercasing (the slow Python BertTokenizer does the reverse).
      const stripped = this.opts.stripAccents ? stripAccentsCp(cp) : [cp];
      out = this.opts.lowercase ? stripped.flatMap((c) => lowercaseCp(c)) : stripped;
      this.mapped.set(cp, out);
    }
    return out;
  }

  private push(cp: number, start: number, end: number): void {
    if (this.cpLen === this.starts.length) {
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    if (this.unitLen + 2 > this.units.length) this.units = growUnits(this.units);
    this.starts[this.cpLen] = start;
    this.ends[this.cpLen] = end;
    this.cpLen++;
    if (cp < 0x10000) {
      this.units[this.unitLen++] = cp;
    } else {
      this.units[this.unitLen++] = 0xd800 + ((cp - 0x10000) >> 10);
      this.units[this.unitLen++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    }
  }

  private flush(sink: WordSink): void {
    if (this.cpLen === 0 || this.stopped) {
      this.cpLen = 0;
      this.unitLen = 0;
      return;
    }
    const word = unitsToString(this.units, this.unitLen);
    if (!sink(word, this.cpLen, this.starts, this.ends)) this.stopped = true;
    this.cpLen = 0;
    this.unitLen = 0;
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function growUnits(a: Uint16Array): Uint16Array {
  const b = new Uint16Array(a.length * 2);
  b.set(a);
  return b;
}

function unitsToString(units: Uint16Array, len: number): string {
  if (len <= CHUNK) return Reflect.apply(String.fromCharCode, null, units.subarray(0, len)) as string;
  // Chunked so a 100,000-character word cannot overflow the argument stack.
  let s = '';
  for (let i = 0; i < len; i += CHUNK) {
    s += Reflect.apply(String.fromCharCode, null, units.subarray(i, Math.min(len, i + CHUNK))) as string;
  }
  return s;
}
