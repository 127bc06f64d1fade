// NER annotation check: where a trained model's confident entity disagrees with the annotated spans of the
// same text (a span missed by the annotation, another type, other boundaries).
import type { CharSpan } from '../types';

/** An entity a model predicted, with its confidence in [0, 1]. */
export interface PredictedSpan extends CharSpan {
  readonly confidence: number;
}

export interface SpanDisagreement {
  readonly start: number;
  readonly end: number;
  readonly predicted: string;
  readonly confidence: number;
  /** 'missing': no annotated span overlaps it; 'type': the same range annotated with another type;
   *  'boundary': it overlaps annotated spans but its range differs. */
  readonly kind: 'missing' | 'type' | 'boundary';
  /** The overlapping annotated span (the first one for 'boundary'), or null for 'missing'. */
  readonly annotated: CharSpan | null;
}

/** The confident predictions (confidence >= minConfidence) that no annotated span matches exactly. */
export function spanDisagreements(
  annotated: readonly CharSpan[],
  predicted: readonly PredictedSpan[],
  minConfidence: number,
): SpanDisagreement[] {
  const out: SpanDisagreement[] = [];
  for (const p of predicted) {
    if (p.confidence < minConfidence) continue;
    const same = annotated.find((a) => a.start === p.start && a.end === p.end);
    const base = { start: p.start, end: p.end, predicted: p.type, confidence: p.confidence };
    if (same) {
      if (same.type !== p.type) out.push({ ...base, kind: 'type', annotated: same });
      continue;
    }
    const overlap = annotated.find((a) => a.start < p.end && p.start < a.end);
    out.push(
      overlap ? { ...base, kind: 'boundary', annotated: overlap } : { ...base, kind: 'missing', annotated: null },
    );
  }
  return out;
}
