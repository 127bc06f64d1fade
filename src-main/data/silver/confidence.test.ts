import { describe, expect, it } from 'vitest';
import { combineEvidence, ruleConfidence, silverWeightRanges, UNSURE_CONFIDENCE } from './confidence';
import { gazetteerLabeler, silverLabeler } from './index';
import { silverSpan } from './types';

const span = (start: number, end: number, type: string, confidence: number) => ({
  ...silverSpan('t@1', start, end, type),
  confidence,
});

describe('silver confidence', () => {
  it("takes the rule's precision in its capitalisation context, else the rule's overall precision", () => {
    expect(ruleConfidence('lexicon', 'text')).toBe(0.94);
    expect(ruleConfidence('lexicon', 'caps')).toBe(0.551);
    expect(ruleConfidence('org-of', 'caps')).toBe(0.636); // no caps cell: the rule overall
    expect(ruleConfidence('no-such-rule', 'text')).toBe(0.5);
  });

  it('raises agreeing evidence (noisy-or) and lowers conflicting evidence', () => {
    const kept = span(0, 4, 'ORG', 0.7);
    expect(combineEvidence(kept, [])).toBe(0.7);
    expect(combineEvidence(kept, [span(0, 4, 'ORG', 0.5)])).toBeCloseTo(1 - 0.3 * 0.5, 10);
    expect(combineEvidence(kept, [span(0, 9, 'PER', 0.7)])).toBeCloseTo(0.5, 10);
    expect(combineEvidence(kept, [span(2, 9, 'PER', 0.9)])).toBeLessThan(0.3);
    expect(combineEvidence(kept, [span(5, 9, 'PER', 0.9)])).toBe(0.7); // no overlap: no evidence
  });

  it('the composed labeler scores its spans and lists the name-like words it left O', () => {
    const labeler = silverLabeler({ gazetteers: [{ name: 'firms', entries: { ORG: ['Acme Corp'] } }] });
    const text = 'Shares of Acme Corp rose in Tokyo on Monday, and Zorblat waved.';
    const out = labeler.explain(text);
    const shown = out.spans.map((s) => [text.slice(s.start, s.end), s.type, s.confidence]);
    // The gazetteer (0.95) and the rules' org ending (0.78) agree: 1 - 0.05 x 0.22.
    const acme = out.spans.find((s) => text.slice(s.start, s.end) === 'Acme Corp')!;
    expect(acme.labeler).toBe('gazetteer:firms@1');
    expect(acme.confidence).toBeCloseTo(1 - 0.05 * 0.22, 10);
    expect(shown).toContainEqual(['Tokyo', 'LOC', 0.94]); // lexicon in running text
    expect(shown).toContainEqual(['Monday', 'DATE', 0.855]);
    expect(out.unsure.map((u) => text.slice(u.start, u.end))).toEqual(['Zorblat']);
    expect(labeler.label(text)).toEqual(out.spans);
    // A gazetteer alone has no unsure words: its output passes through as label() gives it.
    expect(gazetteerLabeler({ name: 'g', entries: { ORG: ['Acme'] } }).explain).toBeUndefined();
  });

  it('turns confidence into NER weight ranges: 0 below the threshold, 1 or the confidence above it', () => {
    const out = { spans: [span(0, 4, 'ORG', 0.9), span(10, 14, 'PER', 0.4)], unsure: [{ start: 20, end: 25 }] };
    expect(silverWeightRanges(out, { minConfidence: 0, weights: 'ignore' })).toEqual([]);
    expect(silverWeightRanges(out, { minConfidence: 0.5, weights: 'ignore' })).toEqual([
      { start: 10, end: 14, weight: 0 },
      { start: 20, end: 25, weight: 0 },
    ]);
    expect(silverWeightRanges(out, { minConfidence: 0.05, weights: 'confidence' })).toEqual([
      { start: 0, end: 4, weight: 0.9 },
      { start: 10, end: 14, weight: 0.4 },
      { start: 20, end: 25, weight: UNSURE_CONFIDENCE },
    ]);
  });
});
