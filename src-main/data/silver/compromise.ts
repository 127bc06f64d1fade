import nlp from 'compromise';
import { z } from 'zod';
import type { SilverSpan } from '../types';
import { dropTitles, trimEdges } from './edges';
import { LabelerError, silverSpan, type Labeler } from './types';

const ID = 'compromise-ner@1';

// compromise's match JSON is untyped; we read only term offsets (match-level offsets include quotes
// inconsistently, term offsets are exact UTF-16 positions in the input).
const termsSchema = z.array(
  z.object({
    terms: z.array(z.object({ text: z.string(), offset: z.object({ start: z.number(), length: z.number() }) })),
  }),
);

interface CompromiseView {
  json(options: object): unknown;
}
interface CompromiseDoc {
  people(): CompromiseView;
  organizations(): CompromiseView;
  places(): CompromiseView;
}

const KINDS = [
  ['PER', (d: CompromiseDoc) => d.people()],
  ['ORG', (d: CompromiseDoc) => d.organizations()],
  ['LOC', (d: CompromiseDoc) => d.places()],
] as const;

function matches(view: CompromiseView): readonly (readonly [number, number])[] {
  const parsed = termsSchema.safeParse(view.json({ offset: true, terms: { offset: true } }));
  if (!parsed.success) {
    throw new LabelerError(`compromise returned matches without term offsets (${parsed.error.issues[0].message}); the installed compromise version is not supported, use 14.x`);
  }
  return parsed.data
    .filter((m) => m.terms.length > 0)
    .map((m) => {
      const first = m.terms[0].offset;
      const last = m.terms[m.terms.length - 1].offset;
      return [first.start, last.start + last.length] as const;
    });
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
      const spans: SilverSpan[] = [];
      for (const [type, pick] of KINDS) {
        for (const [start, end] of matches(pick(doc))) {
          for (const [s, e] of cleanMatch(text, type, start, end)) spans.push(silverSpan(ID, s, e, type));
        }
      }
      return spans.sort((a, b) => a.start - b.start || b.end - a.end);
    },
  };
}
