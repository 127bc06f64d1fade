/**
 * Token and grapheme boundaries for snapping a mouse selection to whole words (Prodigy/Argilla style), or,
 * with Alt, to exact characters. Offsets are UTF-16 code units, like the stored spans: a selection never
 * ends inside an emoji (🤦🏼‍♂️ is one grapheme of 7 units). CJK text has no spaces between words, so a run of
 * ideographs and kana between punctuation (or other scripts) counts as one word; Alt selects inside it.
 */

export interface Range {
  readonly start: number;
  readonly end: number;
}

// Letters, digits and combining marks run together into one token; ideographs and kana (with the prolonged
// sound mark ー) run together into another, so "東京のAcme" is two tokens and punctuation such as 、。「 ends a run.
const WORD = /^[\p{L}\p{N}\p{M}]/u;
const IDEOGRAPHIC = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u;
const SPACE = /^\s+$/u;

let cache: { text: string; graphemes: readonly Range[] } | null = null;

/** The grapheme clusters of `text` (memoised for the last text: snapping asks repeatedly about one example). */
export function graphemes(text: string): readonly Range[] {
  if (cache?.text === text) return cache.graphemes;
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const out: Range[] = [];
  for (const g of segmenter.segment(text)) out.push({ start: g.index, end: g.index + g.segment.length });
  cache = { text, graphemes: out };
  return out;
}

/** Word-like tokens: runs of letters/digits, runs of ideographs and kana, single other non-space graphemes. */
export function tokens(text: string): readonly Range[] {
  const out: Range[] = [];
  let run: { start: number; end: number; cjk: boolean } | null = null;
  for (const g of graphemes(text)) {
    const s = text.slice(g.start, g.end);
    const cjk = IDEOGRAPHIC.test(s);
    const word = cjk || WORD.test(s);
    if (word && run !== null && run.end === g.start && run.cjk === cjk) {
      run.end = g.end;
      continue;
    }
    if (run !== null) out.push({ start: run.start, end: run.end });
    run = null;
    if (SPACE.test(s)) continue;
    if (word) run = { start: g.start, end: g.end, cjk };
    else out.push(g);
  }
  if (run !== null) out.push({ start: run.start, end: run.end });
  return out;
}

/**
 * Turns a raw selection [a, b) (either order) into a span range: whole tokens touched by it, or with
 * `exact` the characters themselves widened to grapheme edges. Surrounding whitespace is dropped; a
 * selection of nothing but whitespace gives null.
 */
export function snapSelection(text: string, a: number, b: number, exact: boolean): Range | null {
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(text.length, Math.max(a, b));
  if (hi <= lo) return null;
  const units = exact ? graphemes(text) : tokens(text);
  const touched = units.filter((u) => u.end > lo && u.start < hi && !SPACE.test(text.slice(u.start, u.end)));
  const first = touched[0];
  const last = touched[touched.length - 1];
  if (first === undefined || last === undefined) return null;
  return { start: first.start, end: last.end };
}
