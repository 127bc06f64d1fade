import { composeLabelers, DEFAULT_TYPES, type ComposeOptions } from './compose';
import { compromiseLabeler } from './compromise';
import { gazetteerLabeler, type GazetteerOptions } from './gazetteer';
import { newsRulesLabeler } from './rules';
import type { ExplainingLabeler } from './types';
import { winkLabeler } from './wink';

export { composeLabelers, DEFAULT_TYPES, ONTONOTES_SCHEME, resolveOverlaps, type ComposeOptions } from './compose';
export { compromiseLabeler, cleanMatch } from './compromise';
export { dropTitles, trimEdges } from './edges';
export {
  evaluateLabeler,
  formatEvaluation,
  type GoldExample,
  LabelerScorer,
  type LabelerEvaluation,
  scoreLabeler,
} from './evaluate';
export { gazetteerLabeler, type GazetteerOptions } from './gazetteer';
export { newsRulesExplainer, newsRulesLabeler } from './rules';
export { type ExplainingLabeler, LabelerError, silverSpan, type Labeler, type LabelerOutput } from './types';
export { type SilverWeighting, silverWeightRanges, UNSURE_CONFIDENCE } from './confidence';
export { WINK_TYPES, winkLabeler } from './wink';

export interface SilverOptions extends ComposeOptions {
  /** User gazetteers; they run first, so their spans win overlaps. */
  readonly gazetteers?: readonly GazetteerOptions[];
  /**
   * Also run compromise people()/places()/organizations() after the rules. Off by default: on CoNLL-2003
   * train it lowers entity F1 when added to the rules and is ~30x slower (see scripts/label-eval.ts).
   */
  readonly compromise?: boolean;
}

/** PER/ORG/LOC only: gazetteers, then the news rules (then compromise if asked). */
export function entityLabeler(options: SilverOptions = {}): ExplainingLabeler {
  const labelers = [
    ...(options.gazetteers ?? []).map(gazetteerLabeler),
    newsRulesLabeler(),
    ...(options.compromise ? [compromiseLabeler()] : []),
  ];
  return composeLabelers(labelers, {
    ...options,
    types: options.types ?? ['PER', 'ORG', 'LOC'],
    id: options.id ?? 'silver-entities@1',
  });
}

/** The default silver pipeline: gazetteers, news rules, (compromise), wink; types PER, ORG, LOC, DATE, MONEY. */
export function silverLabeler(options: SilverOptions = {}): ExplainingLabeler {
  const labelers = [
    ...(options.gazetteers ?? []).map(gazetteerLabeler),
    newsRulesLabeler(),
    ...(options.compromise ? [compromiseLabeler()] : []),
    winkLabeler(),
  ];
  return composeLabelers(labelers, { ...options, types: options.types ?? DEFAULT_TYPES, id: options.id ?? 'silver@1' });
}
