import type { CharSpan, ImportedExample } from '../types';
import { getEntities } from '../../engine/metrics';

/** Outcome of one CoNLL sentence. */
export type ConllResult =
  | { readonly kind: 'example'; readonly example: ImportedExample; readonly repaired: number }
  | { readonly kind: 'skipped'; readonly line: number; readonly reason: string };

const TAG = /^(O|[BIESLU]-.+)$/;
const LABEL_LINE = /^#\s*label\s*=\s*(\S.*)$/;

/**
 * Normalises any IOB flavour to IOB2: IOB1's I- that opens an entity becomes B-, and IOBES/BILOU's
 * E-/L- become I-, S-/U- become B-. On valid IOB2 input it changes nothing. Returns the tags and how
 * many I- tags were turned into B- (non-zero means the file was IOB1).
 */
export function toIob2(tags: readonly string[]): { readonly tags: string[]; readonly repaired: number } {
  let repaired = 0;
  const out: string[] = [];
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i];
    if (t === 'O') {
      out.push(t);
      continue;
    }
    const type = t.slice(2);
    let p = t[0];
    if (p === 'E' || p === 'L') p = 'I';
    if (p === 'S' || p === 'U') p = 'B';
    if (p === 'I' && (i === 0 || out[i - 1] === 'O' || out[i - 1].slice(2) !== type)) {
      p = 'B';
      if (t[0] === 'I') repaired++;
    }
    out.push(`${p}-${type}`);
  }
  return { tags: out, repaired };
}

/** Collects token lines into sentences; a blank line ends one, -DOCSTART- lines are document markers. */
export class ConllReader {
  private tokens: string[] = [];
  private tags: string[] = [];
  private firstLine = 0;
  private problem: string | null = null;
  private label: string | null = null;

  /** Feeds one line; returns a finished sentence when the line ends one. */
  line(line: number, text: string): ConllResult | null {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('-DOCSTART-')) return this.flush();
    // "# label = World" before a sentence gives its class label (our CoNLL export writes it).
    const labelLine = this.tokens.length === 0 ? LABEL_LINE.exec(trimmed) : null;
    if (labelLine) {
      if (this.problem === null && this.label === null) this.firstLine = line;
      this.label = labelLine[1];
      return null;
    }
    if (this.tokens.length === 0 && this.problem === null && this.label === null) this.firstLine = line;
    const cols = trimmed.split(/\s+/);
    if (cols.length < 2) {
      this.problem ??= `line ${line} has one column ("${trimmed}"); expected "token ... tag" with the tag last`;
      return null;
    }
    const tag = cols[cols.length - 1];
    if (!TAG.test(tag)) {
      this.problem ??= `line ${line}: tag "${tag}" is not O or B-/I-/E-/S-<TYPE>; the tag must be the last column`;
      return null;
    }
    this.tokens.push(cols[0]);
    this.tags.push(tag);
    return null;
  }

  /** Ends the current sentence (call at end of file too). */
  flush(): ConllResult | null {
    if (this.tokens.length === 0 && this.problem === null) {
      // A label line with no sentence under it.
      const orphan = this.label !== null;
      this.label = null;
      return orphan
        ? { kind: 'skipped', line: this.firstLine, reason: 'a "# label = ..." line with no tokens after it' }
        : null;
    }
    const tokens = this.tokens;
    const tags = this.tags;
    const problem = this.problem;
    const label = this.label;
    this.tokens = [];
    this.tags = [];
    this.problem = null;
    this.label = null;
    if (problem !== null) return { kind: 'skipped', line: this.firstLine, reason: problem };
    const r = sentenceToExample(this.firstLine, tokens, tags);
    return label !== null && r.kind === 'example' ? { ...r, example: { ...r.example, label } } : r;
  }
}

/** Tokens + tags -> text (tokens joined by single spaces) and char spans. */
export function sentenceToExample(line: number, tokens: readonly string[], rawTags: readonly string[]): ConllResult {
  const { tags, repaired } = toIob2(rawTags);
  const starts: number[] = [];
  let pos = 0;
  for (const t of tokens) {
    starts.push(pos);
    pos += t.length + 1;
  }
  const spans: CharSpan[] = getEntities(tags).map((e) => ({
    start: starts[e.start],
    end: starts[e.end - 1] + tokens[e.end - 1].length,
    type: e.type,
  }));
  return { kind: 'example', example: { line, text: tokens.join(' '), tokens, spans }, repaired };
}
