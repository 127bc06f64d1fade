// Span edge clean-up shared by the compromise and rule labelers: titles, possessives, quotes and
// punctuation at the edges are not part of a name in CoNLL-style annotation.

/** Words that precede a name but are not part of it (compared lower-case, without a final '.'). */
export const TITLES: ReadonlySet<string> = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'dr',
  'prof',
  'professor',
  'sir',
  'dame',
  'lord',
  'lady',
  'rev',
  'reverend',
  'father',
  'sister',
  'brother',
  'president',
  'vice',
  'chancellor',
  'minister',
  'prime',
  'premier',
  'secretary',
  'senator',
  'sen',
  'rep',
  'representative',
  'congressman',
  'congresswoman',
  'governor',
  'gov',
  'mayor',
  'judge',
  'justice',
  'king',
  'queen',
  'prince',
  'princess',
  'pope',
  'ceo',
  'cfo',
  'coo',
  'chairman',
  'chairwoman',
  'chief',
  'executive',
  'director',
  'general',
  'gen',
  'col',
  'colonel',
  'capt',
  'captain',
  'lt',
  'lieutenant',
  'sgt',
  'sergeant',
  'admiral',
  'adm',
  'commander',
  'coach',
  'manager',
  'ambassador',
  'spokesman',
  'spokeswoman',
  'foreign',
  'defence',
  'defense',
  'finance',
  'interior',
  'deputy',
  'former',
  'leader',
  'opposition',
  'commissioner',
  'spokesperson',
  'speaker',
  'patriarch',
  'envoy',
  'negotiator',
  'president-elect',
  'striker',
  'midfielder',
  'defender',
  'goalkeeper',
  'veteran',
  'champion',
  'sheikh',
  'ayatollah',
  'rabbi',
  'cardinal',
  'archbishop',
  'bishop',
  'emir',
  'sultan',
  'senor',
  'monsieur',
  'herr',
  'frau',
  'mme',
  'mlle',
  'dutchman',
  'american',
  'briton',
  'german',
  'frenchman',
  'australian',
  'italian',
  'spaniard',
  'russian',
  'swede',
  'dane',
  'norwegian',
  'finn',
  'pole',
  'czech',
  'austrian',
  'swiss',
  'belgian',
  'brazilian',
  'argentine',
  'mexican',
  'canadian',
  'japanese',
  'chinese',
  'indian',
  'pakistani',
  'south',
  'african',
  'zimbabwean',
  'kenyan',
  'moroccan',
  'algerian',
  'nigerian',
  'irish',
  'scottish',
  'welsh',
  'english',
  'british',
  'french',
  'dutch',
  'israeli',
  'palestinian',
  'iraqi',
  'iranian',
]);

const EDGE_PUNCT = new Set([...'.,;:!?"\'()[]{}<>«»“”‘’`*|/\\-–—']);
// Abbreviations whose final '.' belongs to the name (Corp., Inc., U.S.).
const KEEP_DOT = /(?:^|[\s.])(?:[A-Z]|Corp|Inc|Co|Ltd|Jr|Sr|Bros|Cos|Assn|Dept|Univ|Mt|Ft|St|Plc|Ltda|Cia|Intl)\.$/;

/** Narrows [start, end) so it does not begin or end with punctuation, quotes, a possessive 's or spaces. */
export function trimEdges(text: string, start: number, end: number): readonly [number, number] {
  let s = start;
  let e = end;
  for (let changed = true; changed && s < e;) {
    changed = false;
    while (s < e && (/\s/.test(text[s]) || EDGE_PUNCT.has(text[s]))) {
      s++;
      changed = true;
    }
    while (s < e && /\s/.test(text[e - 1])) {
      e--;
      changed = true;
    }
    const tail = text.slice(Math.max(s, e - 2), e);
    if ((tail === "'s" || tail === '’s') && e - 2 > s) {
      e -= 2;
      changed = true;
      continue;
    }
    const last = text[e - 1];
    if (last === '.' && KEEP_DOT.test(text.slice(s, e))) break;
    if (EDGE_PUNCT.has(last)) {
      e--;
      changed = true;
    }
  }
  return [s, e];
}

/** Moves `start` past leading title words (Mr., President, CEO ...) as long as a word remains. */
export function dropTitles(text: string, start: number, end: number): number {
  let s = start;
  for (;;) {
    const m = /^([A-Za-z]+)\.?\s+/.exec(text.slice(s, end));
    if (!m || !TITLES.has(m[1].toLowerCase())) return s;
    s += m[0].length;
  }
}
