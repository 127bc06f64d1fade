import type { SilverSpan } from '../types';

/** A silver labeler: pure function from text to spans, identified as 'name@version' in every span it makes. */
export interface Labeler {
  /** 'name@version'; stored with each span so labels can be traced and re-run. */
  readonly id: string;
  /** Entity types this labeler can produce (before scheme mapping). */
  readonly types: readonly string[];
  /** Labels one text; spans are [start, end) in the text's UTF-16 code units. */
  label(text: string): SilverSpan[];
}

/** Builds a span owned by `labeler`. */
export function silverSpan(labeler: string, start: number, end: number, type: string): SilverSpan {
  return { start, end, type, source: 'silver', labeler };
}

export class LabelerError extends Error {
  override readonly name = 'LabelerError';
}
