import { describe, expect, it } from 'vitest';
import type { SpanId, SpanInfo } from '../../../src-preload/contract';
import { layoutSpans } from './layout';

let nextId = 1;
function span(
  start: number,
  end: number,
  type: string,
  source: SpanInfo['source'],
  status: SpanInfo['status'] = 'pending',
): SpanInfo {
  return {
    id: nextId++ as SpanId,
    start,
    end,
    type,
    source,
    status,
    confidence: source === 'model' ? 0.9 : null,
    labeler: null,
  };
}

describe('layoutSpans', () => {
  const text = 'Acme opens in Paris 🤦🏼‍♂️ today';
  const paris = text.indexOf('Paris');

  it('covers the whole text with text segments and marks, in order', () => {
    const { segments, aside } = layoutSpans(
      text,
      [span(paris, paris + 5, 'LOC', 'silver'), span(0, 4, 'ORG', 'gold')],
      null,
    );
    expect(segments.map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([
      ['span', 'Acme'],
      ['text', ' opens in '],
      ['span', 'Paris'],
      ['text', text.slice(paris + 5)],
    ]);
    expect(aside).toEqual([]);
  });

  it('draws gold over overlapping silver, lists the loser aside, and hides rejected spans', () => {
    const silver = span(0, 10, 'ORG', 'silver');
    const gold = span(0, 4, 'ORG', 'gold', 'accepted');
    const rejected = span(paris, paris + 5, 'PER', 'silver', 'rejected');
    const { segments, aside } = layoutSpans(text, [silver, gold, rejected], null);
    expect(segments.filter((s) => s.kind === 'span').map((s) => (s.kind === 'span' ? s.span.id : 0))).toEqual([
      gold.id,
    ]);
    expect(aside).toEqual([silver]);
  });

  it('attaches an agreeing model span to the label and draws a disagreeing one on its own', () => {
    const gold = span(0, 4, 'ORG', 'gold', 'accepted');
    const agree = span(0, 4, 'ORG', 'model');
    const alone = span(paris, paris + 5, 'LOC', 'model');
    const { segments } = layoutSpans(text, [agree, gold, alone], null);
    const marks = segments.flatMap((s) => (s.kind === 'span' ? [[s.span.source, s.modelAgrees?.id ?? null]] : []));
    expect(marks).toEqual([
      ['gold', agree.id],
      ['model', null],
    ]);
  });

  it('draws the pending selection first, pushing what it overlaps aside', () => {
    const silver = span(0, 4, 'ORG', 'silver');
    const { segments, aside } = layoutSpans(text, [silver], { start: 0, end: 10 });
    expect(segments[0]).toEqual({ kind: 'pending', start: 0, end: 10 });
    expect(aside).toEqual([silver]);
  });

  it('gives one text segment for an empty text', () => {
    expect(layoutSpans('', [], null).segments).toEqual([{ kind: 'text', start: 0, end: 0 }]);
  });
});
