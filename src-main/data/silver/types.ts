import type { SilverSpan } from '../types';

/** A silver labeler: pure function from text to spans, identified as 'name@version' in every span it makes. */
export interface Labeler {
  /** 'name@version'; stored with each span so labels can be traced and re-run. */
  readonly id: string;
  /** Entity types this labeler can produce (before scheme mapping). */
  readonly types: readonly string[];
  /** Labels one text; spans are [start, end) in the text's UTF-16 code units. */
  label(text: string): SilverSpan[];
  /** The spans of `label` plus the words whose O label is a guess (labelers that know it). */
  explain?(text: string): LabelerOutput;
}

/** Where a span's capitals came from: running text, an ALL-CAPS headline or a Title Case stretch. */
export type CapsContext = 'text' | 'caps' | 'title';

/** A labeler that always explains (composed labelers do). */
export type ExplainingLabeler = Labeler & { explain(text: string): LabelerOutput };

/** What a labeler found in one text: spans (with confidence) and words it saw but could not type. */
export interface LabelerOutput {
  readonly spans: SilverSpan[];
  /** Ranges left O although they look like names: their O label has confidence UNSURE_CONFIDENCE. */
  readonly unsure: readonly { readonly start: number; readonly end: number }[];
}

/** Builds a span owned by `labeler`. */
export function silverSpan(labeler: string, start: number, end: number, type: string): SilverSpan {
  return { start, end, type, source: 'silver', labeler };
}

export class LabelerError extends Error {
  override readonly name = 'LabelerError';
}
