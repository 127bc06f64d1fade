import nlp from 'compromise';
import type { SilverSpan } from '../types';
import { dropTitles, trimEdges } from './edges';
import { COMPROMISE_CONFIDENCE, withConfidence } from './confidence';
import { LabelerError, silverSpan, type Labeler } from './types';

const ID = 'compromise-ner@1';

// compromise's documents are arrays of term objects shared between a document and its match views, so
// offsets are computed once per text by walking the terms (their `text` is the original surface form)
// instead of asking compromise for offsets, which recomputes them for every view and is 6x slower.
interface Term {
  readonly text: string;
}
interface CompromiseView {
  readonly docs: readonly (readonly Term[])[];
}
interface CompromiseDoc extends CompromiseView {
  people(): CompromiseView;
  organizations(): CompromiseView;
  places(): CompromiseView;
}

function isView(x: unknown): x is CompromiseView {
  const docs = (x as Partial<CompromiseView> | null)?.docs;
  return (
    Array.isArray(docs) &&
    docs.every((d) => Array.isArray(d) && d.every((t: Partial<Term>) => typeof t?.text === 'string'))
  );
}

const KINDS = [
  ['PER', (d: CompromiseDoc) => d.people()],
  ['ORG', (d: CompromiseDoc) => d.organizations()],
  ['LOC', (d: CompromiseDoc) => d.places()],
] as const;

/** Offsets of every term in the original text, found left to right. */
function termOffsets(text: string, doc: CompromiseView): Map<Term, readonly [number, number]> {
  const out = new Map<Term, readonly [number, number]>();
  let cursor = 0;
  for (const sentence of doc.docs) {
    for (const term of sentence) {
      if (term.text === '') continue; // expanded contractions ("Gates's" -> is) have no surface text
      const at = text.indexOf(term.text, cursor);
      if (at < 0) {
        throw new LabelerError(
          `compromise term "${term.text}" not found in the text after offset ${cursor}; this compromise version normalises text differently, use 14.x`,
        );
      }
      out.set(term, [at, at + term.text.length]);
      cursor = at + term.text.length;
    }
  }
  return out;
}

function matches(
  view: CompromiseView,
  offsets: ReadonlyMap<Term, readonly [number, number]>,
): (readonly [number, number])[] {
  if (!isView(view)) throw new LabelerError('compromise returned a match view without terms; use compromise 14.x');
  const out: (readonly [number, number])[] = [];
  for (const terms of view.docs) {
    const located = terms.map((t) => offsets.get(t)).filter((o) => o !== undefined);
    if (located.length > 0) out.push([located[0][0], located[located.length - 1][1]]);
  }
  return out;
}

/** Splits "Wuhan, China" (comma-separated places) into one range per place. */
function splitAtCommas(text: string, start: number, end: number): (readonly [number, number])[] {
  const out: (readonly [number, number])[] = [];
  let s = start;
  for (let i = start; i <= end; i++) {
    if (i === end || text[i] === ',') {
      out.push([s, i]);
      s = i + 1;
    }
  }
  return out;
}

/** Cleans one compromise match: trims punctuation/possessives, drops titles for people, splits place lists. */
export function cleanMatch(text: string, type: string, start: number, end: number): (readonly [number, number])[] {
  const pieces = type === 'LOC' ? splitAtCommas(text, start, end) : [[start, end] as const];
  const out: (readonly [number, number])[] = [];
  for (const [a, b] of pieces) {
    let [s, e] = trimEdges(text, a, b);
    if (type === 'PER') [s, e] = trimEdges(text, dropTitles(text, s, e), e);
    if (e > s && /\p{Lu}|\p{Lt}|\p{Lo}/u.test(text.slice(s, e))) out.push([s, e]);
  }
  return out;
}

/** compromise people()/organizations()/places() as PER/ORG/LOC, with edges cleaned and offsets exact. */
export function compromiseLabeler(): Labeler {
  return {
    id: ID,
    types: ['PER', 'ORG', 'LOC'],
    label(text: string): SilverSpan[] {
      const doc = nlp(text) as unknown as CompromiseDoc;
      if (!isView(doc)) throw new LabelerError('compromise returned a document without terms; use compromise 14.x');
      const offsets = termOffsets(text, doc);
      const spans: SilverSpan[] = [];
      for (const [type, pick] of KINDS) {
        for (const [start, end] of matches(pick(doc), offsets)) {
          for (const [s, e] of cleanMatch(text, type, start, end)) {
            spans.push(withConfidence(silverSpan(ID, s, e, type), COMPROMISE_CONFIDENCE[type] ?? 0.5));
          }
        }
      }
      return spans.sort((a, b) => a.start - b.start || b.end - a.end);
    },
  };
}
