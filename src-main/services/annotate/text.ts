// Character-level rules for spans: UTF-16 offsets that never split a surrogate pair, whole-token matching.

const WORD = /[\p{L}\p{N}\p{M}_]/u;

/** True when [start, end) is inside the text and does not cut a surrogate pair in half. */
export function validOffsets(text: string, start: number, end: number): boolean {
  if (start < 0 || end > text.length || end <= start) return false;
  const low = (i: number): boolean =>
    i > 0 && i < text.length && text.charCodeAt(i) >= 0xdc00 && text.charCodeAt(i) <= 0xdfff;
  return !low(start) && !low(end);
}

/** The character (full code point) just before `i`, or '' at the start. */
function charBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.slice(i - 1, i);
}

/** The character (full code point) at `i`, or '' at the end. */
function charAt(text: string, i: number): string {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Start offsets of every whole-token occurrence of `needle` in `text` (not part of a longer word). */
export function wholeTokenMatches(text: string, needle: string): readonly number[] {
  const out: number[] = [];
  // A needle that itself begins or ends in a non-word character needs no boundary on that side.
  const needStartBoundary = WORD.test(charAt(needle, 0));
  const needEndBoundary = WORD.test(charBefore(needle, needle.length));
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) {
    const end = i + needle.length;
    if (needStartBoundary && WORD.test(charBefore(text, i))) continue;
    if (needEndBoundary && WORD.test(charAt(text, end))) continue;
    if (!validOffsets(text, i, end)) continue;
    out.push(i);
  }
  return out;
}

/** True when [a0, a1) and [b0, b1) share at least one character. */
export function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 && b0 < a1;
}
