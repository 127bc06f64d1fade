// Capitalised-sequence rules for news text. Signals: capitalisation (ignored in ALL-CAPS headlines and
// Title Case stretches), compromise's lexicon (names, places, organisations, sports teams), wink's
// common-word vocabulary (a capitalised common word at sentence start is not a name), titles, name
// endings (Corp, Bank, River), datelines, sports results lines, speech cues and names repeated in the
// same text. One pass, no parsing. Developed on CoNLL-2003 train only; no list comes from valid.
import type { SilverSpan } from '../types';
import { TITLES } from './edges';
import { COUNTRIES, newsLexicon, type LexKind, type Lexicon } from './lexicon';
import { ruleConfidence, withConfidence } from './confidence';
import { type CapsContext, silverSpan, type Labeler, type LabelerOutput } from './types';
import { commonWords, type VocabPos } from './vocab';

const ID = 'news-rules@1';

interface Tok {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Lower case, without a final '.' unless the word is an initialism (u.s.). */
  readonly key: string;
  readonly cap: boolean;
  readonly upper: boolean;
  readonly letters: boolean;
  readonly num: boolean;
  readonly lex: LexKind | undefined;
  readonly vocab: VocabPos | undefined;
}

type Entity = 'PER' | 'LOC' | 'ORG';

const CONNECT = new Set(['of', 'de', 'van', 'von', 'der', 'den', 'la', 'le', 'du', 'des', 'del', 'di', 'da', 'al', 'el', 'bin', 'ibn', 'y', '&']);
const LOC_BEFORE = new Set(['in', 'at', 'near', 'from', 'to', 'into', 'across', 'outside', 'inside', 'visited', 'via']);
const SPEECH_AFTER = new Set(['said', 'says', 'told', 'added', 'who', 'thinks', 'believes', 'wrote', 'insisted', 'denied', 'admitted', 'explained']);
const MATCH_WORDS = new Set(['beat', 'beats', 'v', 'vs', 'drew', 'draw', 'against', 'defeated', 'thrashed', 'routed', 'edged', 'hammered']);
const SCORECARD = new Set(['c', 'b', 'lbw', 'st', 'run', 'retired']);
const NAME_KINDS = new Set<LexKind | undefined>(['PER', 'FIRST', 'LAST', 'LOC', 'ORG']);
const ABBREV = /^(?:(?:\p{L}\.)+|(?:Corp|Inc|Co|Ltd|Jr|Sr|St|Mr|Mrs|Ms|Dr|Gen|Col|Sen|Gov|Rep|Lt|Capt|Bros|Mt|Ft)\.)$/u;

function tokenize(text: string, lex: Lexicon, vocab: ReadonlyMap<string, VocabPos>): Tok[] {
  const out: Tok[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let s = m.index;
    let e = s + m[0].length;
    const pieces: [number, number][] = [];
    // Peel punctuation off both ends; keep the final '.' of initialisms and abbreviations (U.S., Corp.).
    while (s < e && /[("'“‘[{«]/.test(text[s])) pieces.push([s, ++s]);
    const tail: [number, number][] = [];
    while (e > s && /[)"'”’\]},;:!?»]/.test(text[e - 1])) tail.unshift([--e, e + 1]);
    if (e > s + 1 && text[e - 1] === '.' && !ABBREV.test(text.slice(s, e))) tail.unshift([--e, e + 1]);
    if (e > s + 1 && /,$/.test(text.slice(s, e))) tail.unshift([--e, e + 1]);
    let poss: [number, number] | null = null;
    if (e - s > 2 && /['’]s$/i.test(text.slice(s, e))) {
      poss = [e - 2, e];
      e -= 2;
    }
    if (e > s) pieces.push([s, e]);
    if (poss) pieces.push(poss);
    pieces.push(...tail);
    for (const [a, b] of pieces) out.push(makeTok(text.slice(a, b), a, b, lex, vocab));
  }
  return out;
}

function makeTok(text: string, start: number, end: number, lex: Lexicon, vocab: ReadonlyMap<string, VocabPos>): Tok {
  const letters = /\p{L}/u.test(text);
  const lower = text.toLowerCase();
  const key = /^(?:\p{L}\.)+$/u.test(lower) ? lower : lower.replace(/\.$/, '');
  return {
    text, start, end, key, letters,
    cap: /^\p{Lu}/u.test(text),
    upper: letters && text === text.toUpperCase(),
    num: /^[\d.,:/-]*\d[\d.,:/-]*$/.test(text),
    lex: lex.words.get(key),
    // Plurals are common words when their singular is (Scorers, Standings).
    vocab: vocab.get(key) ?? (key.length > 3 && key.endsWith('s') ? vocab.get(key.slice(0, -1)) : undefined),
  };
}

interface Sentence {
  readonly toks: readonly Tok[];
  readonly lex: Lexicon;
  /** Headline in capitals: capitalisation says nothing. */
  readonly caps: boolean;
  /** Per token: inside a Title Case stretch (AG News titles), where capitals say little too. */
  readonly title: readonly boolean[];
  readonly numbers: number;
  readonly scorecard: boolean;
  /** Known multi-word names: start index -> [end, kind]. */
  readonly phrases: ReadonlyMap<number, readonly [number, LexKind]>;
  /** Lone unknown words left untyped, resolved at the end against names found in the same text. */
  readonly pending: Tok[];
  readonly vocab: ReadonlyMap<string, VocabPos>;
}

const keyOf = (toks: readonly Tok[], i: number, j: number): string => toks.slice(i, j).map((t) => t.key).join(' ');
const isCommon = (t: Tok): boolean => t.vocab !== undefined && !NAME_KINDS.has(t.lex);

function findPhrases(toks: readonly Tok[], lex: Lexicon, caps: boolean): Map<number, readonly [number, LexKind]> {
  const out = new Map<number, readonly [number, LexKind]>();
  for (let i = 0; i < toks.length; i++) {
    if (!toks[i].letters || (!caps && !toks[i].cap)) continue;
    for (let len = Math.min(lex.maxPhrase, toks.length - i); len >= 2; len--) {
      if (!caps && !toks[i + len - 1].cap) continue;
      const kind = lex.words.get(keyOf(toks, i, i + len));
      if (kind === 'LOC' || kind === 'ORG' || kind === 'PER') {
        out.set(i, [i + len, kind]);
        i += len - 1;
        break;
      }
    }
  }
  return out;
}

// Marks Title Case stretches (AG News titles: "Tokyo Stocks Fall After Oil Spike"): runs of capitalised
// words, lower-case function words and commas, holding at least three capitalised common words after
// the first word. Inside them capitals say little, so only non-common words can start names.
function titleCaseMask(text: string, toks: readonly Tok[]): boolean[] {
  const mask = new Array<boolean>(toks.length).fill(false);
  let from = 0;
  let commonCaps = 0;
  const close = (to: number): void => {
    if (commonCaps >= 3) mask.fill(true, from, to);
    from = to + 1;
    commonCaps = 0;
  };
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    const gap = k > 0 ? text.slice(toks[k - 1].end, t.start) : '';
    if (/\s\s|\n/.test(gap)) {
      close(k - 1);
      from = k;
    }
    const inStretch = t.cap || (t.vocab === 'FUNCTION' && t.letters) || t.text === ',' || t.text === "'s" || t.text === '&';
    if (!inStretch) {
      close(k);
      continue;
    }
    if (t.cap && k > from && t.vocab !== undefined && !NAME_KINDS.has(t.lex)) commonCaps++;
  }
  close(toks.length);
  return mask;
}

function nameLike(s: Sentence, k: number, sentenceStart: boolean): boolean {
  const t = s.toks[k];
  if (t.lex === 'DATE' && !s.phrases.has(k)) return false;
  if (!t.letters || t.text.includes('$') || /^\p{L}$/u.test(t.text)) return false;
  // Codes with digits (AA1, 3M LIBOR) are not names unless the lexicon knows them.
  if (/\d/.test(t.text) && !NAME_KINDS.has(t.lex)) return false;
  if (NAME_KINDS.has(t.lex) && (t.cap || s.caps)) return true;
  if (s.caps || s.title[k]) return !isCommon(t) && (t.cap || !s.title[k]);
  if (!t.cap) return false;
  // Capitalised function words (The, In, Will) start sentences or titles, not names.
  if (t.vocab === 'FUNCTION' && !NAME_KINDS.has(t.lex)) return false;
  return !(sentenceStart && isCommon(t));
}

/** Why a run got its type: the rule name, for debugging and for tests. */
export type RuleDecision = readonly [Entity | null, string];

const DATE_LIKE = /^\d{4}-\d\d-\d\d$|^\d{1,2}\/\d{1,2}(?:\/\d{2,4})?$/;

// Type of tokens [i, j) from lexicon, name endings, titles and context, with the rule that decided.
function classify(s: Sentence, i: number, j: number, titled: boolean): RuleDecision {
  const { toks, lex } = s;
  const len = j - i;
  const whole = len === 1 ? toks[i].lex : lex.words.get(keyOf(toks, i, j));
  const first = toks[i];
  const last = toks[j - 1];
  const prev = i > 0 ? toks[i - 1] : null;
  const next = j < toks.length ? toks[j] : null;
  const resultsLine = s.numbers >= 2 && !s.scorecard && next !== null && next.num && !DATE_LIKE.test(next.text);
  const personShape = len > 1 && (/^\p{Lu}\.$/u.test(first.text) || first.lex === 'FIRST' || last.lex === 'LAST');
  if (i === 0 && j === toks.length - 1 && next !== null && DATE_LIKE.test(next.text)) return ['LOC', 'dateline'];
  if (whole === 'LOC') {
    if (COUNTRIES.has(keyOf(toks, i, j))) return ['LOC', 'lexicon'];
    // A town that plays (Essex beat Surrey, Leeds v Chelsea) is a club.
    if (resultsLine) return ['ORG', 'results-team'];
    if ((prev && MATCH_WORDS.has(prev.key)) || (next && MATCH_WORDS.has(next.key))) return ['ORG', 'match-team'];
    return ['LOC', 'lexicon'];
  }
  if (whole === 'ORG' || whole === 'PER') return [whole, 'lexicon'];
  if (whole === 'DEMONYM' || whole === 'DATE' || whole === 'TITLE') return [null, 'lexicon-other'];
  if (len === 1 && isDemonymLike(s, first)) return [null, 'demonym'];
  if (len > 1 && lex.orgWords.has(last.key)) return ['ORG', 'org-ending'];
  if (len > 1 && last.lex === 'ORG') return ['ORG', 'org-last-word'];
  if (len > 1 && toks.slice(i, j).every((t) => t.lex === 'LOC')) return ['LOC', 'places'];
  if (len > 2 && lex.orgWords.has(first.key) && toks[i + 1].key === 'of') return ['ORG', 'org-of'];
  if (titled) return ['PER', 'title'];
  if (personShape) return ['PER', 'person-shape'];
  if (len > 1 && lex.placeWords.has(last.key)) return ['LOC', 'place-ending'];
  if (!s.caps && len === 1 && first.upper && /^\p{L}{2,5}$/u.test(first.text)) return ['ORG', 'acronym'];
  if (toks.slice(i, j).every((t) => isCommon(t) || CONNECT.has(t.key))) return [null, 'common-words'];
  if (resultsLine) return ['ORG', 'results'];
  if (len === 1) {
    if (first.lex === 'FIRST' || first.lex === 'LAST') return ['PER', 'name-lexicon'];
    if (prev && LOC_BEFORE.has(prev.key) && !prev.cap) return ['LOC', 'after-preposition'];
    // A lone unknown capitalised word is a person only when speech or a relative clause follows it;
    // otherwise it is as often a club, firm or place, and a silver label is better missing than wrong.
    if (next && SPEECH_AFTER.has(next.key)) return ['PER', 'speaker'];
    return [null, 'single-unknown'];
  }
  return ['PER', 'multi-unknown'];
}

// Plural or adjective forms of peoples and creeds (Serbs, Kurdish, Islamist) are not PER/ORG/LOC.
function isDemonymLike(s: Sentence, t: Tok): boolean {
  if (t.vocab === 'ADJ' && !NAME_KINDS.has(t.lex)) return true;
  const singular = t.key.endsWith('s') ? t.key.slice(0, -1) : null;
  return singular !== null && (s.lex.words.get(singular) === 'DEMONYM' || s.vocab.get(singular) === 'ADJ');
}


// Splits a run at its last title word and drops leading modifiers, then classifies what is left.
function emit(s: Sentence, i: number, j: number, out: SilverSpan[], why: string[]): void {
  const { toks } = s;
  const phrase = s.phrases.get(i);
  if (phrase && phrase[0] === j) {
    const [type, rule] = classify(s, i, j, false);
    if (type) {
      out.push(silverSpan(ID, toks[i].start, toks[j - 1].end, type));
      why.push(rule);
    }
    return;
  }
  // "Foreign Ministry", "British Airways": an organisation ending keeps the whole run, titles included.
  if (j - i > 1 && s.lex.orgWords.has(toks[j - 1].key) && !TITLES.has(toks[j - 1].key)) {
    out.push(silverSpan(ID, toks[i].start, toks[j - 1].end, 'ORG'));
    why.push('org-ending-run');
    return;
  }
  // "Karim Alami of Morocco": a person from a country (sports results) is two entities.
  for (let k = i + 1; k < j - 1; k++) {
    if (toks[k].key === 'of' && COUNTRIES.has(keyOf(toks, k + 1, j))) {
      emit(s, i, k, out, why);
      out.push(silverSpan(ID, toks[k + 1].start, toks[j - 1].end, 'LOC'));
      why.push('of-country');
      return;
    }
  }
  let start = i;
  let titled = false;
  for (let k = j - 2; k >= i; k--) {
    if (TITLES.has(toks[k].key) || toks[k].lex === 'TITLE') {
      // "General Assembly": a title followed only by common words is part of a name, not a title.
      if (toks.slice(k + 1, j).every(isCommon)) break;
      // What precedes a title is a place or organisation modifier ("U.S. President ..."): keep it only if known.
      const before = s.phrases.get(i);
      if (before && before[0] <= k) emit(s, i, before[0], out, why);
      else if (k > i && (toks[i].lex === 'LOC' || toks[i].lex === 'ORG')) {
        out.push(silverSpan(ID, toks[i].start, toks[i].end, toks[i].lex));
        why.push('before-title');
      }
      start = k + 1;
      titled = true;
      break;
    }
  }
  while (start < j - 1) {
    const t = toks[start];
    if (t.lex === 'DEMONYM' || t.lex === 'DATE') start++;
    else break;
  }
  const [type, rule] = classify(s, start, j, titled);
  if (type) {
    out.push(silverSpan(ID, toks[start].start, toks[j - 1].end, type));
    why.push(rule);
  } else if (rule === 'single-unknown') {
    s.pending.push(toks[start]);
  }
}

// "Boris Yeltsin ... Yeltsin said": a lone word that repeats the surname of a person (or the first word
// of an organisation) named elsewhere in the same text gets that type.
function resolvePending(s: Sentence, spans: SilverSpan[], why: string[]): Tok[] {
  if (s.pending.length === 0) return [];
  const known = new Map<string, string>();
  for (const span of spans) {
    const words = s.toks.filter((t) => t.start >= span.start && t.end <= span.end && t.letters);
    if (words.length < 2) continue;
    if (span.type === 'PER') known.set(words[words.length - 1].key, 'PER');
    if (span.type === 'ORG' && !known.has(words[0].key)) known.set(words[0].key, 'ORG');
  }
  const unresolved: Tok[] = [];
  for (const t of s.pending) {
    const type = known.get(t.key);
    if (type) {
      spans.push(silverSpan(ID, t.start, t.end, type));
      why.push('same-text-name');
    } else unresolved.push(t);
  }
  return unresolved;
}

/** Fast rule labeler for PER/ORG/LOC in news text (see the file comment for the signals it uses). */
export function newsRulesLabeler(): Labeler {
  const explainRules = newsRulesExplainer();
  const explain = (text: string): LabelerOutput => {
    const r = explainRules(text);
    return {
      spans: r.spans.map((s, i) => withConfidence(s, ruleConfidence(r.rules[i], r.contexts[i]))),
      unsure: r.unsure,
    };
  };
  return { id: ID, types: ['PER', 'ORG', 'LOC'], label: (text: string) => explain(text).spans, explain };
}

/** What the rule labeler found in one text, with the reasons (for confidence, debugging and review UIs). */
export interface RulesExplanation {
  readonly spans: SilverSpan[];
  /** Per span: the rule that typed it. */
  readonly rules: string[];
  /** Per span: the capitalisation context of its first word. */
  readonly contexts: CapsContext[];
  /** Name-like words the rules left untyped ('single-unknown'): their O label is a guess. */
  readonly unsure: readonly { readonly start: number; readonly end: number }[];
}

/** The rule labeler plus, for each span, the name of the rule that typed it (for debugging and review UIs). */
export function newsRulesExplainer(): (text: string) => RulesExplanation {
  const lex = newsLexicon();
  const vocab = commonWords();
  return (text: string) => {
    const toks = tokenize(text, lex, vocab);
    const withLetters = toks.filter((t) => t.letters);
    const caps = withLetters.some((t) => t.text.length > 1) && withLetters.filter((t) => t.upper).length / withLetters.length > 0.6;
    const s: Sentence = {
      toks, lex, caps,
      title: titleCaseMask(text, toks),
      numbers: toks.filter((t) => t.num).length,
      scorecard: toks.some((t) => SCORECARD.has(t.text)),
      phrases: findPhrases(toks, lex, caps),
      pending: [],
      vocab,
    };
    const spans: SilverSpan[] = [];
    const rules: string[] = [];
    let k = 0;
    let atStart = true;
    while (k < toks.length) {
      const phrase = s.phrases.get(k);
      if (!phrase && !nameLike(s, k, atStart)) {
        // After an opening quote, dash or colon a new sentence may start.
        atStart = !toks[k].letters && !toks[k].num ? atStart || /^[-:"'“(—–.!?]+$/.test(toks[k].text) : false;
        k++;
        continue;
      }
      let j = phrase ? phrase[0] : k + 1;
      for (;;) {
        if (j < toks.length && /\s\s|\n/.test(text.slice(toks[j - 1].end, toks[j].start))) break;
        const p = s.phrases.get(j);
        if (p) j = p[0];
        else if (j < toks.length && nameLike(s, j, false)) j++;
        else if (j + 1 < toks.length && CONNECT.has(toks[j].key) && !toks[j].cap && nameLike(s, j + 1, false)) j += 2;
        else break;
      }
      emit(s, k, j, spans, rules);
      atStart = false;
      k = j;
    }
    const unresolved = resolvePending(s, spans, rules);
    const order = spans.map((_, i) => i).sort((a, b) => spans[a].start - spans[b].start);
    const contextOf = (span: SilverSpan): CapsContext => {
      const k = toks.findIndex((t) => t.start === span.start);
      return s.caps ? 'caps' : k >= 0 && s.title[k] ? 'title' : 'text';
    };
    return {
      spans: order.map((i) => spans[i]),
      rules: order.map((i) => rules[i]),
      contexts: order.map((i) => contextOf(spans[i])),
      unsure: unresolved.map((t) => ({ start: t.start, end: t.end })),
    };
  };
}
