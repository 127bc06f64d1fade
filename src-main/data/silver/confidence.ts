// How far a silver span can be trusted, from what found it. The numbers are measurements, printed by
// `npx tsx scripts/silver-confidence.ts` (add --compromise for compromise's row):
// - news rules: the share of the rule's spans that are exactly a gold CoNLL-2003 train entity of the same
//   type (CoNLL train is where the rules were developed, so these lean optimistic), split by capitalisation
//   context where that context has >= 30 spans (an entity found in an ALL-CAPS headline or a Title Case
//   stretch is far less reliable: 'lexicon' 94.0 % in running text, 55.1 % in capitals, 44.9 % in titles);
// - wink: DATE agrees exactly with spaCy on AG News dev 85.5 % of the time (a lower bound: spaCy is not
//   gold). MONEY cannot be measured that way (spaCy misses AG News's escaped '\$' amounts: 3.4 % agreement);
//   its 0.9 is set by hand after reading the first 12 of its spans on AG News dev, all of them amounts;
// - compromise: its spans on CoNLL-2003 train against gold, per type (PER 69.2 %, LOC 68.2 %, ORG 48.8 %);
// - a user gazetteer: 0.95, a list the user vouches for.
// 'Unsure' words are the rules' name-like words left untyped: 90.4 % of them are part of a gold CoNLL entity,
// so their O label has confidence 0.096.
import type { SilverSpan } from '../types';
import type { CapsContext } from './types';

/** Precision of each news rule on CoNLL-2003 train (all contexts together). */
const RULE_PRECISION: Readonly<Record<string, number>> = {
  lexicon: 0.902,
  'person-shape': 0.961,
  'multi-unknown': 0.537,
  results: 0.809,
  'results-team': 0.907,
  dateline: 0.989,
  acronym: 0.689,
  'org-ending-run': 0.779,
  'name-lexicon': 0.756,
  title: 0.843,
  speaker: 0.847,
  'after-preposition': 0.642,
  'of-country': 0.733,
  'place-ending': 0.709,
  'match-team': 0.789,
  'same-text-name': 0.654,
  'before-title': 0.846,
  'org-last-word': 0.462,
  'org-of': 0.636,
  places: 0,
};

/** Rule x capitalisation context cells with >= 30 spans on CoNLL-2003 train. */
const RULE_CONTEXT_PRECISION: Readonly<Record<string, number>> = {
  'lexicon/text': 0.94,
  'lexicon/caps': 0.551,
  'lexicon/title': 0.449,
  'person-shape/text': 0.964,
  'person-shape/title': 0.935,
  'multi-unknown/text': 0.556,
  'multi-unknown/caps': 0.028,
  'results/text': 0.816,
  'results/caps': 0.684,
  'results-team/text': 0.877,
  'results-team/caps': 0.975,
  'dateline/caps': 0.989,
  'acronym/text': 0.693,
  'org-ending-run/text': 0.78,
  'name-lexicon/text': 0.793,
  'name-lexicon/caps': 0.806,
  'title/text': 0.851,
  'speaker/text': 0.848,
  'after-preposition/text': 0.651,
  'of-country/text': 0.742,
  'place-ending/text': 0.718,
  'match-team/text': 0.844,
};

/** wink's types: DATE measured against spaCy, MONEY set by hand (see the file comment). */
const WINK_CONFIDENCE: Readonly<Record<string, number>> = { DATE: 0.855, MONEY: 0.9 };

/** compromise's spans on CoNLL-2003 train, per type. */
export const COMPROMISE_CONFIDENCE: Readonly<Record<string, number>> = { PER: 0.692, LOC: 0.682, ORG: 0.488 };

/** A span from a user gazetteer. */
export const GAZETTEER_CONFIDENCE = 0.95;

/** Confidence of the O label on a name-like word the rules could not type (1 - 0.904). */
export const UNSURE_CONFIDENCE = 0.096;

/** Confidence of a news-rules span: its rule's precision in its capitalisation context. */
export function ruleConfidence(rule: string, context: CapsContext): number {
  return RULE_CONTEXT_PRECISION[`${rule}/${context}`] ?? RULE_PRECISION[rule] ?? 0.5;
}

/** Confidence of a wink span by type (other wink types, unused by the pipeline: 0.5). */
export function winkConfidence(type: string): number {
  return WINK_CONFIDENCE[type] ?? 0.5;
}

/** A span with its confidence set. */
export function withConfidence(span: SilverSpan, confidence: number): SilverSpan {
  return { ...span, confidence };
}

/**
 * Combines the evidence of other labelers about a kept span: each that proposed exactly the same span and type
 * agrees (noisy-or: 1 - (1 - c)(1 - c')); each that proposed an overlapping span of another type disagrees
 * (two exclusive claims with independent evidence: c (1 - c') / (c (1 - c') + c' (1 - c))).
 */
export function combineEvidence(kept: SilverSpan, others: readonly SilverSpan[]): number {
  let c = kept.confidence ?? 1;
  for (const o of others) {
    const co = o.confidence ?? 1;
    if (o.start === kept.start && o.end === kept.end && o.type === kept.type) c = 1 - (1 - c) * (1 - co);
    else if (o.start < kept.end && kept.start < o.end && o.type !== kept.type) {
      const agree = c * (1 - co);
      const against = co * (1 - c);
      c = agree + against === 0 ? c : agree / (agree + against);
    }
  }
  return c;
}

/** Which silver labels count in the NER loss, by confidence. */
export interface SilverWeighting {
  /** Words whose silver label (a span, or an unsure O) has confidence below this are ignored (weight 0). */
  readonly minConfidence: number;
  /** 'ignore': the rest weigh 1; 'confidence': the rest weigh their confidence. */
  readonly weights: 'ignore' | 'confidence';
}

/**
 * The char ranges whose NER labels weigh less than 1 under `w`: spans and unsure words (confidence
 * UNSURE_CONFIDENCE) below the threshold get 0, and with 'confidence' the others their confidence. Words in
 * no range are O labels the labeler had no doubt about (weight 1). Empty when nothing weighs less than 1.
 */
export function silverWeightRanges(
  output: { readonly spans: readonly SilverSpan[]; readonly unsure: readonly { start: number; end: number }[] },
  w: SilverWeighting,
): { readonly start: number; readonly end: number; readonly weight: number }[] {
  const weightOf = (c: number): number => (c < w.minConfidence ? 0 : w.weights === 'confidence' ? c : 1);
  return [
    ...output.spans.map((s) => ({ start: s.start, end: s.end, weight: weightOf(s.confidence ?? 1) })),
    ...output.unsure.map((u) => ({ start: u.start, end: u.end, weight: weightOf(UNSURE_CONFIDENCE) })),
  ].filter((r) => r.weight < 1);
}
