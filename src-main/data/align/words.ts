// Word tokenisation with character offsets for arbitrary text. Words are runs of letters/digits/marks;
// each punctuation or symbol grapheme (emoji included, ZWJ sequences kept whole) and each CJK ideograph
// is a word of its own, like BERT's basic tokenizer, so entity edges can fall on any of them.

/** A word and its [start, end) range in UTF-16 code units of the original text. */
export interface WordToken {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const SPACE = /^[\s\p{Z}\p{Cc}\p{Cf}]/u;
const ALONE = /^[\p{P}\p{S}\p{Extended_Pictographic}\p{Regional_Indicator}]/u;
// CJK ideographs and kana split per character (BERT's _is_chinese_char ranges, plus kana).
const CJK = /^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]/u;

let segmenter: Intl.Segmenter | null = null;

function graphemes(text: string): Iterable<{ readonly segment: string; readonly index: number }> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// Plain ASCII needs no grapheme segmentation; this path is ~10x faster and covers most English text.
function tokenizeAscii(text: string): WordToken[] {
  const out: WordToken[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (isAsciiWordChar(c)) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      out.push({ text: text.slice(start, i), start, end: i });
      start = -1;
    }
    // Control characters and space separate; everything else printable is punctuation or a symbol.
    if (c > 32 && c < 127) out.push({ text: text[i], start: i, end: i + 1 });
  }
  return out;
}

/** Splits text into words (whitespace separates; punctuation, symbols, emoji and CJK characters stand alone). */
export function tokenizeWords(text: string): WordToken[] {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return tokenizeAscii(text);
  const out: WordToken[] = [];
  let start = -1;
  let end = -1;
  const flush = (): void => {
    if (start >= 0) out.push({ text: text.slice(start, end), start, end });
    start = -1;
  };
  for (const { segment, index } of graphemes(text)) {
    const segEnd = index + segment.length;
    if (SPACE.test(segment) && !/\p{L}|\p{N}/u.test(segment)) {
      flush();
    } else if (ALONE.test(segment) || CJK.test(segment)) {
      flush();
      out.push({ text: segment, start: index, end: segEnd });
    } else {
      if (start < 0) start = index;
      end = segEnd;
    }
  }
  flush();
  return out;
}
