import nlp from 'compromise';
import { z } from 'zod';
import { LabelerError } from './types';

/** What a lower-cased word or phrase is known as, from compromise's lexicon plus a few news lists. */
export type LexKind = 'PER' | 'FIRST' | 'LAST' | 'LOC' | 'ORG' | 'DEMONYM' | 'DATE' | 'TITLE' | 'COMMON';

export interface Lexicon {
  readonly words: ReadonlyMap<string, LexKind>;
  /** Longest phrase length (in words) among the entries. */
  readonly maxPhrase: number;
  /** Lower-case words that end organisation names (Corp, Bank, University, FC ...). */
  readonly orgWords: ReadonlySet<string>;
  /** Lower-case words that end place names (River, Island, County ...). */
  readonly placeWords: ReadonlySet<string>;
}

const modelSchema = z.object({
  one: z.object({ lexicon: z.record(z.string(), z.union([z.string(), z.array(z.string())])) }),
  two: z.object({ orgWords: z.record(z.string(), z.unknown()), placeWords: z.record(z.string(), z.unknown()) }),
});

// Order matters: the first matching tag decides (a word tagged both Country and Person is a place).
const TAG_KIND: readonly (readonly [string, LexKind])[] = [
  ['Country', 'LOC'],
  ['City', 'LOC'],
  ['Region', 'LOC'],
  ['Place', 'LOC'],
  ['SportsTeam', 'ORG'],
  ['Organization', 'ORG'],
  ['Person', 'PER'],
  ['FirstName', 'FIRST'],
  ['MaleName', 'FIRST'],
  ['FemaleName', 'FIRST'],
  ['LastName', 'LAST'],
  ['Demonym', 'DEMONYM'],
  ['Month', 'DATE'],
  ['WeekDay', 'DATE'],
  ['Date', 'DATE'],
  ['Honorific', 'TITLE'],
];

// General news knowledge that compromise lacks: wire agencies, international bodies, common short forms.
const EXTRA: Readonly<Record<string, LexKind>> = {
  reuters: 'ORG',
  interfax: 'ORG',
  xinhua: 'ORG',
  afp: 'ORG',
  'itar-tass': 'ORG',
  tass: 'ORG',
  ap: 'ORG',
  bloomberg: 'ORG',
  un: 'ORG',
  'u.n.': 'ORG',
  nato: 'ORG',
  eu: 'ORG',
  osce: 'ORG',
  imf: 'ORG',
  opec: 'ORG',
  wto: 'ORG',
  uefa: 'ORG',
  fifa: 'ORG',
  'european union': 'ORG',
  'united nations': 'ORG',
  'world bank': 'ORG',
  'red cross': 'ORG',
  congress: 'ORG',
  senate: 'ORG',
  parliament: 'ORG',
  'security council': 'ORG',
  'european commission': 'ORG',
  pentagon: 'ORG',
  'u.s.': 'LOC',
  us: 'LOC',
  usa: 'LOC',
  'u.k.': 'LOC',
  uk: 'LOC',
  britain: 'LOC',
  'great britain': 'LOC',
  'united states': 'LOC',
  'hong kong': 'LOC',
  'west bank': 'LOC',
  'gaza strip': 'LOC',
  gaza: 'LOC',
  europe: 'LOC',
  asia: 'LOC',
  africa: 'LOC',
  'latin america': 'LOC',
  'middle east': 'LOC',
  'soviet union': 'LOC',
  january: 'DATE',
  february: 'DATE',
  march: 'DATE',
  april: 'DATE',
  june: 'DATE',
  july: 'DATE',
  august: 'DATE',
  september: 'DATE',
  october: 'DATE',
  november: 'DATE',
  december: 'DATE',
  gmt: 'DATE',
};

const ORG_END = [
  'inc',
  'corp',
  'co',
  'ltd',
  'plc',
  'ag',
  'sa',
  'nv',
  'bv',
  'gmbh',
  'spa',
  'group',
  'bank',
  'fc',
  'united',
  'rovers',
  'wanderers',
  'athletic',
  'city',
  'party',
  'front',
  'army',
  'league',
  'airlines',
  'airways',
  'exchange',
  'commission',
  'court',
  'club',
  'newsroom',
  'desk',
];

/** Countries (and home nations) that field national teams: they stay LOC even in sports results. */
export const COUNTRIES: ReadonlySet<string> = new Set([
  'afghanistan',
  'albania',
  'algeria',
  'argentina',
  'armenia',
  'australia',
  'austria',
  'azerbaijan',
  'belarus',
  'belgium',
  'bolivia',
  'bosnia',
  'brazil',
  'britain',
  'bulgaria',
  'cameroon',
  'canada',
  'chile',
  'china',
  'colombia',
  'croatia',
  'cuba',
  'cyprus',
  'czech republic',
  'denmark',
  'ecuador',
  'egypt',
  'england',
  'estonia',
  'ethiopia',
  'fiji',
  'finland',
  'france',
  'georgia',
  'germany',
  'ghana',
  'greece',
  'holland',
  'hungary',
  'iceland',
  'india',
  'indonesia',
  'iran',
  'iraq',
  'ireland',
  'israel',
  'italy',
  'jamaica',
  'japan',
  'jordan',
  'lebanon',
  'syria',
  'libya',
  'sudan',
  'chad',
  'qatar',
  'kuwait',
  'oman',
  'yemen',
  'kenya',
  'latvia',
  'lithuania',
  'luxembourg',
  'macedonia',
  'malaysia',
  'malta',
  'mexico',
  'moldova',
  'morocco',
  'netherlands',
  'new zealand',
  'nigeria',
  'northern ireland',
  'norway',
  'pakistan',
  'paraguay',
  'peru',
  'poland',
  'portugal',
  'romania',
  'russia',
  'saudi arabia',
  'scotland',
  'senegal',
  'slovakia',
  'slovenia',
  'south africa',
  'south korea',
  'spain',
  'sri lanka',
  'sweden',
  'switzerland',
  'tunisia',
  'turkey',
  'ukraine',
  'uruguay',
  'usa',
  'u.s.',
  'united states',
  'venezuela',
  'wales',
  'west indies',
  'yugoslavia',
  'zambia',
  'zimbabwe',
]);

let cached: Lexicon | null = null;

/** The shared lexicon (built once from compromise's model; ~25k entries). */
export function newsLexicon(): Lexicon {
  if (cached) return cached;
  const parsed = modelSchema.safeParse((nlp as unknown as { model(): unknown }).model());
  if (!parsed.success) {
    throw new LabelerError(
      `compromise's model has an unexpected shape (${parsed.error.issues[0].path.join('.')}); use compromise 14.x`,
    );
  }
  const words = new Map<string, LexKind>();
  let maxPhrase = 1;
  for (const [key, value] of Object.entries(parsed.data.one.lexicon)) {
    const tags = typeof value === 'string' ? [value] : value;
    const kind = TAG_KIND.find(([tag]) => tags.includes(tag))?.[1] ?? 'COMMON';
    words.set(key, kind);
    if (kind !== 'COMMON') maxPhrase = Math.max(maxPhrase, key.split(' ').length);
  }
  for (const [key, kind] of Object.entries(EXTRA)) words.set(key, kind);
  for (const key of COUNTRIES) words.set(key, 'LOC');
  // 'city' ends team names (Manchester City) in sport but towns elsewhere; the rules decide with context.
  const placeWords = new Set(Object.keys(parsed.data.two.placeWords).filter((w) => w !== 'city'));
  cached = {
    words,
    maxPhrase: Math.min(maxPhrase, 5),
    orgWords: new Set([...Object.keys(parsed.data.two.orgWords), ...ORG_END]),
    placeWords,
  };
  return cached;
}
