import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lowercaseCp, stripAccentsCp } from './char-classes';
import type { Encoding } from './encoding';
import {
  AG_NEWS_DEV,
  CONLL_VALID,
  MINILM_DIR,
  allExist,
  readAgNewsTexts,
  readConllSentences,
  shortHash,
} from './reference-data';
import { WordPieceTokenizer } from './tokenizer';

// Expected values come from Hugging Face tokenizers via scripts/ref/tokenizer_ref.py parity.
const record = {
  ids: z.array(z.number()),
  offsets: z.array(z.tuple([z.number(), z.number()])),
  wordIds: z.array(z.number()),
};
const hashed = z.object({
  counts: z.object({ texts: z.number(), tokens: z.number(), unk: z.number() }),
  hashes: z.array(z.tuple([z.string(), z.string(), z.string()])),
});
const fixture = z
  .object({
    charMap: z.string(),
    agNewsDev: hashed,
    conllValid: hashed,
    syntheticTexts: z.array(z.object({ text: z.string(), ...record })),
    syntheticWords: z.array(z.object({ words: z.array(z.string()), ...record })),
  })
  .parse(JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/hf-parity.json'), 'utf8')));

const plain = (e: Encoding) => ({
  ids: [...e.ids],
  offsets: e.offsets.map(([s, t]) => [s, t]),
  wordIds: e.wordIds.map((w) => w ?? -1),
});

const haveModel = allExist(MINILM_DIR);
const skipMsg = `(skipped: ${MINILM_DIR} missing)`;

describe('unicode tables', () => {
  it('strip_accents and lowercase agree with tokenizers for every code point', () => {
    const h = createHash('sha1');
    let n = 0;
    const str = (cps: readonly number[]) => String.fromCodePoint(...cps);
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const s = str(stripAccentsCp(cp));
      const lo = str(lowercaseCp(cp));
      if (s !== ch || lo !== ch) {
        h.update(`${cp.toString(16)}:${s}:${lo}\n`);
        n++;
      }
    }
    expect(`${n}:${h.digest('hex')}`).toBe(fixture.charMap);
  });
});

describe(`parity with HF tokenizers on all-MiniLM-L6-v2 ${haveModel ? '' : skipMsg}`, () => {
  let tok: WordPieceTokenizer;
  beforeAll(() => {
    if (haveModel) tok = WordPieceTokenizer.fromDir(MINILM_DIR);
  });

  it.skipIf(!haveModel)('synthetic edge cases: same ids, offsets and word ids', () => {
    for (const c of fixture.syntheticTexts) {
      expect({ text: c.text, ...plain(tok.encode(c.text)) }).toEqual({
        text: c.text,
        ids: c.ids,
        offsets: c.offsets,
        wordIds: c.wordIds,
      });
    }
    for (const c of fixture.syntheticWords) {
      expect({ words: c.words, ...plain(tok.encodeWords(c.words)) }).toEqual({
        words: c.words,
        ids: c.ids,
        offsets: c.offsets,
        wordIds: c.wordIds,
      });
    }
  });

  const compare = (name: string, encs: readonly Encoding[], expected: z.infer<typeof hashed>) => {
    expect(encs.length).toBe(expected.counts.texts);
    const mismatch = { ids: 0, offsets: 0, wordIds: 0 };
    let tokens = 0;
    encs.forEach((e, i) => {
      const p = plain(e);
      tokens += p.ids.length;
      const [hi, ho, hw] = expected.hashes[i];
      if (shortHash(p.ids) !== hi) mismatch.ids++;
      if (shortHash(p.offsets) !== ho) mismatch.offsets++;
      if (shortHash(p.wordIds) !== hw) mismatch.wordIds++;
    });
    console.log(
      `[tokenizer parity] ${name}: ${encs.length} texts, ${tokens} tokens, mismatches ${JSON.stringify(mismatch)}`,
    );
    expect({ tokens, ...mismatch }).toEqual({ tokens: expected.counts.tokens, ids: 0, offsets: 0, wordIds: 0 });
  };

  it.skipIf(!haveModel || !allExist(AG_NEWS_DEV))(
    `ag_news/dev.csv: 0 mismatches ${allExist(AG_NEWS_DEV) ? '' : '(skipped: data missing)'}`,
    () => {
      compare(
        'ag_news/dev.csv',
        readAgNewsTexts(AG_NEWS_DEV).map((t) => tok.encode(t)),
        fixture.agNewsDev,
      );
    },
  );

  it.skipIf(!haveModel || !allExist(CONLL_VALID))(
    `conll2003/valid.txt words: 0 mismatches ${allExist(CONLL_VALID) ? '' : '(skipped: data missing)'}`,
    () => {
      compare(
        'conll2003/valid.txt',
        readConllSentences(CONLL_VALID).map((ws) => tok.encodeWords(ws)),
        fixture.conllValid,
      );
    },
  );
});
