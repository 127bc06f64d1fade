import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer, AG_NEWS_DEV, MINILM_DIR, allExist, readAgNewsTexts } from '../tokenizer';
import { loadForwardFixture } from './testing';

describe('MiniLM forward fixture', () => {
  const fx = loadForwardFixture();

  it('holds 50 texts of [CLS] ... [SEP] with one hidden row per token', () => {
    expect(fx.texts).toHaveLength(50);
    expect(fx.hiddenSize).toBe(384);
    for (const t of fx.texts) {
      expect(t.ids[0]).toBe(101);
      expect(t.ids[t.ids.length - 1]).toBe(102);
      expect(t.ids.length).toBeLessThanOrEqual(fx.maxLength);
      expect(t.hidden.length).toBe(t.ids.length * fx.hiddenSize);
    }
    const last = fx.texts[fx.texts.length - 1].hidden;
    expect(Math.max(...last.map(Math.abs))).toBeLessThanOrEqual(fx.maxAbsHidden);
    expect(last.some((v) => v !== 0)).toBe(true);
  });

  const ready = allExist(MINILM_DIR, AG_NEWS_DEV);
  it.skipIf(!ready)(
    `our tokenizer gives the fixture's ids for the same texts ${ready ? '' : '(skipped: ../shared missing)'}`,
    () => {
      const tok = WordPieceTokenizer.fromDir(MINILM_DIR);
      const texts = readAgNewsTexts(AG_NEWS_DEV);
      for (const t of fx.texts) {
        const text = texts[t.row];
        expect(createHash('sha1').update(text).digest('hex')).toBe(t.textSha1);
        expect([...tok.encode(text, { maxLength: fx.maxLength }).ids]).toEqual(t.ids);
      }
    },
  );
});
