import {
  CHINESE_RANGES,
  CLEAN_WS_RANGES,
  DECOMPOSE_RANGES,
  LOWER_RANGES,
  MARK_RANGES,
  PUNCT_RANGES,
  REMOVE_RANGES,
  SPLIT_WS_RANGES,
} from './unicode-tables.generated';

/** clean_text drops the character. */
export const F_REMOVE = 1;
/** clean_text turns the character into a space. */
export const F_CLEAN_WS = 2;
/** handle_chinese_chars isolates the character. */
export const F_CHINESE = 4;
/** The pre-tokenizer splits on the character and drops it. */
export const F_SPLIT_WS = 8;
/** The pre-tokenizer isolates the character as its own word. */
export const F_PUNCT = 16;
/** strip_accents drops the character. */
export const F_MARK = 32;
/** strip_accents NFD-decomposes the character. */
export const F_DECOMPOSE = 64;
/** lowercase changes the character. */
export const F_LOWER = 128;

const MAX_CP = 0x110000;

function buildFlags(): Uint8Array {
  // One byte per code point (1.1 MB): a table lookup beats any range search in the hot loop.
  const flags = new Uint8Array(MAX_CP);
  const mark = (ranges: string, flag: number): void => {
    for (const item of ranges.split(' ')) {
      const [a, b = a] = item.split('-');
      const end = parseInt(b, 16);
      for (let cp = parseInt(a, 16); cp <= end; cp++) flags[cp] |= flag;
    }
  };
  mark(REMOVE_RANGES, F_REMOVE);
  mark(CLEAN_WS_RANGES, F_CLEAN_WS);
  mark(CHINESE_RANGES, F_CHINESE);
  mark(SPLIT_WS_RANGES, F_SPLIT_WS);
  mark(PUNCT_RANGES, F_PUNCT);
  mark(MARK_RANGES, F_MARK);
  mark(DECOMPOSE_RANGES, F_DECOMPOSE);
  mark(LOWER_RANGES, F_LOWER);
  return flags;
}

/** Flags of every code point as Hugging Face `tokenizers` classifies it (index = code point). */
export const CHAR_FLAGS: Uint8Array = buildFlags();

/** Code points that strip_accents produces from `cp`: NFD, then marks dropped (empty when `cp` is a mark). */
export function stripAccentsCp(cp: number): readonly number[] {
  const f = CHAR_FLAGS[cp];
  if (f & F_MARK) return [];
  if ((f & F_DECOMPOSE) === 0) return [cp];
  // Only code points tokenizers decomposes reach ICU: canonical decompositions never change once assigned,
  // so a newer ICU gives the same result for them, and new characters stay untouched as in tokenizers.
  const out: number[] = [];
  for (const ch of String.fromCodePoint(cp).normalize('NFD')) {
    const c = ch.codePointAt(0) as number;
    if ((CHAR_FLAGS[c] & F_MARK) === 0) out.push(c);
  }
  return out;
}

/** Code points that lowercase produces from `cp`, one code point at a time (no final-sigma context). */
export function lowercaseCp(cp: number): readonly number[] {
  if ((CHAR_FLAGS[cp] & F_LOWER) === 0) return [cp];
  const out: number[] = [];
  for (const ch of String.fromCodePoint(cp).toLowerCase()) out.push(ch.codePointAt(0) as number);
  return out;
}
