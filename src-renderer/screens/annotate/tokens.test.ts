import { describe, expect, it } from 'vitest';
import { graphemes, snapSelection, tokens } from './tokens';

const show = (text: string, r: { start: number; end: number } | null): string | null =>
  r === null ? null : text.slice(r.start, r.end);

describe('snapSelection', () => {
  it('widens a partial word selection to whole tokens and drops surrounding spaces', () => {
    const text = 'Shares of Acme Corp. rose';
    expect(show(text, snapSelection(text, 11, 17, false))).toBe('Acme Corp');
    expect(show(text, snapSelection(text, 9, 15, false))).toBe('Acme');
    expect(snapSelection(text, 9, 10, false)).toBeNull();
  });

  it('gives exact characters with exact=true, but never half an emoji', () => {
    const text = 'ok 🤦🏼‍♂️ facepalm';
    const emoji = text.indexOf('🤦');
    expect(graphemes(text).find((g) => g.start === emoji)?.end).toBe(emoji + '🤦🏼‍♂️'.length);
    expect(show(text, snapSelection(text, emoji + 1, emoji + 3, true))).toBe('🤦🏼‍♂️');
    expect(show(text, snapSelection(text, text.indexOf('face') + 1, text.indexOf('face') + 3, true))).toBe('ac');
    expect(show(text, snapSelection(text, text.indexOf('face') + 1, text.indexOf('face') + 3, false))).toBe('facepalm');
  });

  it('treats a run of CJK characters between punctuation as one word, with exact offsets after emoji', () => {
    const text = '😀 東京のAcme支社、大阪「ヨーロッパ」。';
    const at = text.indexOf('京');
    expect(show(text, snapSelection(text, at, at + 1, false))).toBe('東京の');
    expect(show(text, snapSelection(text, at, at + 1, true))).toBe('京');
    expect(show(text, snapSelection(text, text.indexOf('A') + 1, text.indexOf('A') + 2, false))).toBe('Acme');
    expect(tokens(text).map((t) => text.slice(t.start, t.end))).toEqual([
      '😀',
      '東京の',
      'Acme',
      '支社',
      '、',
      '大阪',
      '「',
      'ヨーロッパ',
      '」',
      '。',
    ]);
  });

  it('accepts a backwards selection and clamps to the text', () => {
    const text = 'New York City';
    expect(show(text, snapSelection(text, 6, 0, false))).toBe('New York');
    expect(show(text, snapSelection(text, 9, 99, false))).toBe('City');
  });
});
