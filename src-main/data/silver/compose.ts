import type { SilverSpan } from '../types';
import { combineEvidence, withConfidence } from './confidence';
import { type ExplainingLabeler, silverSpan, type Labeler, type LabelerOutput } from './types';

/** Default entity types kept by the silver pipeline. */
export const DEFAULT_TYPES: readonly string[] = ['PER', 'ORG', 'LOC', 'DATE', 'MONEY'];

/** OntoNotes/spaCy entity types -> this project's scheme (as used for the spaCy silver yardstick). */
export const ONTONOTES_SCHEME: Readonly<Record<string, string | null>> = {
  PERSON: 'PER',
  ORG: 'ORG',
  GPE: 'LOC',
  LOC: 'LOC',
  FAC: 'LOC',
  DATE: 'DATE',
  MONEY: 'MONEY',
  NORP: null,
  PRODUCT: null,
  EVENT: null,
  WORK_OF_ART: null,
  LAW: null,
  LANGUAGE: null,
};

export interface ComposeOptions {
  /** Renames source types (e.g. { GPE: 'LOC', PERSON: 'PER' }); null drops the type. Unlisted types pass through. */
  readonly scheme?: Readonly<Record<string, string | null>>;
  /** Types kept after mapping (default PER, ORG, LOC, DATE, MONEY). */
  readonly types?: readonly string[];
  /** id of the composed labeler (default 'silver@1'); each span keeps the id of the labeler that made it. */
  readonly id?: string;
}

/**
 * Overlap rule: spans never overlap in the output. Candidates are ranked by labeler order (earlier in the
 * list wins), then by length (longer wins), then by position (leftmost wins); each candidate is kept
 * only if it overlaps no span kept before it. So put the most trusted labeler (a user gazetteer) first.
 */
export function resolveOverlaps(candidates: readonly (readonly SilverSpan[])[]): SilverSpan[] {
  const ranked = candidates.flatMap((spans, rank) => spans.map((s) => ({ s, rank })));
  ranked.sort((a, b) => a.rank - b.rank || b.s.end - b.s.start - (a.s.end - a.s.start) || a.s.start - b.s.start);
  const kept: SilverSpan[] = [];
  for (const { s } of ranked) {
    if (s.end <= s.start) continue;
    if (kept.some((k) => k.start < s.end && s.start < k.end)) continue;
    kept.push(s);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Runs labelers in priority order, maps types through the scheme, keeps `types`, and resolves overlaps. */
export function composeLabelers(labelers: readonly Labeler[], options: ComposeOptions = {}): ExplainingLabeler {
  const scheme = options.scheme ?? {};
  const keep = new Set(options.types ?? DEFAULT_TYPES);
  const mapType = (t: string): string | null => (t in scheme ? scheme[t] : t);
  const explain = (text: string): LabelerOutput => {
    const outputs = labelers.map((l) => l.explain?.(text) ?? { spans: l.label(text), unsure: [] });
    const candidates = outputs.map((o) =>
      o.spans.flatMap((s) => {
        const type = mapType(s.type);
        if (type === null || !keep.has(type)) return [];
        return [type === s.type ? s : { ...silverSpan(s.labeler, s.start, s.end, type), confidence: s.confidence }];
      }),
    );
    const kept = resolveOverlaps(candidates);
    // Each kept span weighed against what the other labelers said about the same words.
    const spans = kept.map((s) => {
      const others = candidates.filter((c) => !c.includes(s)).flat();
      return s.confidence === undefined ? s : withConfidence(s, combineEvidence(s, others));
    });
    const unsure = outputs
      .flatMap((o) => o.unsure)
      .filter((u) => !kept.some((s) => s.start < u.end && u.start < s.end));
    return { spans, unsure };
  };
  return {
    id: options.id ?? 'silver@1',
    types: [...keep],
    label: (text: string): SilverSpan[] => explain(text).spans,
    explain,
  };
}
