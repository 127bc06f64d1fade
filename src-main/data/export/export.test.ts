import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizeWords } from '../align/words';
import { importAll } from '../import/index';
import type { CharSpan } from '../types';
import { exportFile, toConllBlock } from './index';

const dir = mkdtempSync(join(tmpdir(), 'mts-export-'));
let n = 0;
const out = (ext: string): string => join(dir, `${n++}.${ext}`);

const CONLL_VALID = new URL('../../../../shared/data/conll2003/valid.txt', import.meta.url).pathname;
const AG_SILVER = new URL('../../../../shared/data/ag_news/silver-spacy-dev.jsonl', import.meta.url).pathname;

const word = fc.constantFrom('Obama', 'Paris', 'a', '"', 'é', '😀', '東京', 'x\u0301', ',', 'New', "'s", '3.5');
const sentence = fc.array(word, { minLength: 1, maxLength: 12 }).map((ws) => ws.join(' '));
/** Random example: text, optional label, non-overlapping word-aligned spans. */
const example = sentence.chain((text) => {
  const words = tokenizeWords(text);
  return fc
    .tuple(
      fc.option(fc.constantFrom('World', 'Sports'), { nil: undefined }),
      fc.array(fc.tuple(fc.boolean(), fc.constantFrom('PER', 'LOC')), {
        minLength: words.length,
        maxLength: words.length,
      }),
    )
    .map(([label, marks]) => {
      const spans: CharSpan[] = [];
      words.forEach((w, i) => {
        if (marks[i][0]) spans.push({ start: w.start, end: w.end, type: marks[i][1] });
      });
      return label === undefined ? { text, spans } : { text, label, spans };
    });
});

describe('export', () => {
  it('never writes I- without B- in CoNLL, even for overlapping or misaligned spans', () => {
    const { block, widened } = toConllBlock({
      text: 'Barack Obama met Angela Merkel',
      spans: [
        { start: 3, end: 12, type: 'PER' },
        { start: 7, end: 30, type: 'ORG' },
      ],
    });
    expect(block.split('\n')).toEqual(['Barack B-PER', 'Obama I-PER', 'met B-ORG', 'Angela I-ORG', 'Merkel I-ORG']);
    expect(widened).toBe(1);
  });

  it('JSONL import -> export -> import is lossless for random examples', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(example, { minLength: 1, maxLength: 8 }), async (examples) => {
        const p = out('jsonl');
        await exportFile(p, examples, 'jsonl');
        const back = await importAll(p);
        expect(back.examples.map((e) => ({ text: e.text, label: e.label, spans: e.spans }))).toEqual(
          examples.map((e) => ({
            text: e.text,
            label: 'label' in e ? e.label : undefined,
            spans: [...e.spans].sort((a, b) => a.start - b.start),
          })),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('CoNLL export -> import keeps texts and spans for random examples', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(example, { minLength: 1, maxLength: 8 }), async (examples) => {
        const p = out('conll');
        // CoNLL is token based: the text must be tokens joined by single spaces to come back unchanged.
        const tokenised = examples.map((e) => ({
          ...e,
          text: tokenizeWords(e.text)
            .map((w) => w.text)
            .join(' '),
        }));
        const same = examples.filter((e, i) => e.text === tokenised[i].text);
        await exportFile(p, same, 'conll');
        const back = await importAll(p);
        expect(back.examples.map((e) => ({ text: e.text, spans: e.spans }))).toEqual(
          same.map((e) => ({ text: e.text, spans: e.spans })),
        );
      }),
      { numRuns: 25 },
    );
  });

  it.skipIf(!existsSync(CONLL_VALID))(
    'round-trips conll2003/valid.txt through CoNLL and JSONL exactly (needs ../shared)',
    async () => {
      const first = await importAll(CONLL_VALID);
      const c = out('conll');
      await exportFile(c, first.examples, 'conll');
      const again = await importAll(c);
      const strip = (xs: typeof first.examples): unknown[] =>
        xs.map((e) => ({ text: e.text, spans: e.spans, tokens: e.tokens }));
      expect(strip(again.examples)).toEqual(strip(first.examples));
      const j = out('jsonl');
      await exportFile(j, first.examples, 'jsonl');
      const viaJson = await importAll(j);
      expect(viaJson.examples.map((e) => ({ text: e.text, spans: e.spans }))).toEqual(
        first.examples.map((e) => ({ text: e.text, spans: e.spans })),
      );
    },
  );

  it.skipIf(!existsSync(AG_SILVER))(
    'round-trips the AG News silver JSONL (labels and spans) exactly (needs ../shared)',
    async () => {
      const first = await importAll(AG_SILVER);
      const j = out('jsonl');
      const report = await exportFile(j, first.examples, 'jsonl');
      expect(report.examples).toBe(2000);
      const again = await importAll(j);
      const strip = (xs: typeof first.examples): unknown[] =>
        xs.map((e) => ({ text: e.text, label: e.label, spans: e.spans }));
      expect(strip(again.examples)).toEqual(strip(first.examples));
      expect(readFileSync(j, 'utf8').split('\n')[0]).toMatch(/^\{"text":/);
    },
  );
});
