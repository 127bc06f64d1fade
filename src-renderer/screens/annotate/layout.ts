/**
 * displaCy-style layout of one example: the text cut into plain segments and marks. Marks cannot nest, so
 * spans are placed by priority (the pending selection, then gold, silver, model) and a span that overlaps
 * one already placed is listed beside the text instead of being drawn. A model span equal to a placed
 * label (same offsets and type) is not drawn twice: it is attached to that mark as agreement.
 */
import type { SpanInfo, SpanSource } from '../../../src-preload/contract';
import type { Range } from './tokens';

export type Segment =
  | { readonly kind: 'text'; readonly start: number; readonly end: number }
  | {
      readonly kind: 'span';
      readonly start: number;
      readonly end: number;
      readonly span: SpanInfo;
      /** The model predicted exactly this span too. */
      readonly modelAgrees: SpanInfo | null;
    }
  | { readonly kind: 'pending'; readonly start: number; readonly end: number };

export interface Layout {
  readonly segments: readonly Segment[];
  /** Visible (non-rejected) spans that could not be drawn inline because they overlap a drawn one. */
  readonly aside: readonly SpanInfo[];
}

const PRIORITY: Readonly<Record<SpanSource, number>> = { gold: 0, silver: 1, model: 2 };

const overlaps = (a: Range, b: Range): boolean => a.start < b.end && b.start < a.end;
const same = (a: SpanInfo, b: SpanInfo): boolean => a.start === b.start && a.end === b.end && a.type === b.type;

/** Cuts `text` into segments for the given spans (rejected ones are not drawn) and a pending selection. */
export function layoutSpans(text: string, spans: readonly SpanInfo[], pending: Range | null): Layout {
  const visible = spans
    .filter((s) => s.status !== 'rejected')
    .sort((a, b) => PRIORITY[a.source] - PRIORITY[b.source] || a.start - b.start || b.end - a.end);
  const placed: { span: SpanInfo; agree: SpanInfo | null }[] = [];
  const aside: SpanInfo[] = [];
  for (const s of visible) {
    if (s.source === 'model') {
      const twin = placed.find((p) => p.span.source !== 'model' && same(p.span, s));
      if (twin !== undefined && twin.agree === null) {
        twin.agree = s;
        continue;
      }
    }
    const blocked = (pending !== null && overlaps(pending, s)) || placed.some((p) => overlaps(p.span, s));
    if (blocked) aside.push(s);
    else placed.push({ span: s, agree: null });
  }
  const marks: Segment[] = placed.map((p) => ({
    kind: 'span',
    start: p.span.start,
    end: p.span.end,
    span: p.span,
    modelAgrees: p.agree,
  }));
  if (pending !== null) marks.push({ kind: 'pending', start: pending.start, end: pending.end });
  marks.sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let at = 0;
  for (const m of marks) {
    if (m.start > at) segments.push({ kind: 'text', start: at, end: m.start });
    segments.push(m);
    at = m.end;
  }
  if (at < text.length || segments.length === 0) segments.push({ kind: 'text', start: at, end: text.length });
  return { segments, aside };
}
