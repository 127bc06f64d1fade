import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenizerSpec } from './config';
import { TokenizerArgumentError, TokenizerLoadError } from './errors';
import { WordPieceTokenizer } from './tokenizer';
import { stitchWindows } from './windows';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = [
  'un',
  '##aff',
  '##able',
  'aff',
  'the',
  'cafe',
  'hello',
  'world',
  '!',
  ',',
  "'",
  's',
  '##s',
  'a',
  '##b',
  'b',
  '中',
  'é',
];

function tiny(overrides: Partial<TokenizerSpec> = {}): WordPieceTokenizer {
  return new WordPieceTokenizer({
    vocab: [...SPECIALS, ...WORDS],
    cleanText: true,
    handleChineseChars: true,
    stripAccents: true,
    lowercase: true,
    unkToken: '[UNK]',
    clsToken: '[CLS]',
    sepToken: '[SEP]',
    padToken: '[PAD]',
    addedTokens: SPECIALS,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    modelMaxLength: 512,
    ...overrides,
  });
}

const tokens = (t: WordPieceTokenizer, text: string): string[] => [...t.encode(text).ids].map((id) => t.idToToken(id));

describe('WordPiece on a tiny vocabulary', () => {
  const t = tiny();

  it('splits greedily longest-first with ## continuations', () => {
    expect(tokens(t, 'unaffable')).toEqual(['[CLS]', 'un', '##aff', '##able', '[SEP]']);
    expect(tokens(t, 'abb')).toEqual(['[CLS]', 'a', '##b', '##b', '[SEP]']);
  });

  it('turns a word with an unmatchable piece into one [UNK] spanning the word', () => {
    const e = t.encode('hello unaffxz world');
    expect([...e.ids].map((id) => t.idToToken(id))).toEqual(['[CLS]', 'hello', '[UNK]', 'world', '[SEP]']);
    expect(e.offsets[2]).toEqual([6, 13]);
  });

  it('maps words longer than max_input_chars_per_word to [UNK]', () => {
    const short = tiny({ maxInputCharsPerWord: 4 });
    expect(tokens(short, 'cafe hello')).toEqual(['[CLS]', 'cafe', '[UNK]', '[SEP]']);
  });

  it('lower-cases, strips accents, isolates punctuation and CJK with offsets into the original', () => {
    const text = 'Café,HELLO中\u00e9';
    const e = t.encode(text);
    expect([...e.ids].map((id) => t.idToToken(id))).toEqual(['[CLS]', 'cafe', ',', 'hello', '中', '[UNK]', '[SEP]']);
    expect(e.offsets.slice(1, -1).map(([s, x]) => text.slice(s, x))).toEqual(['Café', ',', 'HELLO', '中', 'é']);
    expect(e.wordIds).toEqual([null, 0, 1, 2, 3, 4, null]);
  });

  it('keeps accents and case when the spec says so', () => {
    const cased = tiny({ lowercase: false, stripAccents: false });
    expect(tokens(cased, 'é Hello')).toEqual(['[CLS]', 'é', '[UNK]', '[SEP]']);
  });

  it('matches special tokens in raw text before normalisation', () => {
    expect(tokens(t, 'hello[SEP]world [unk]')).toEqual([
      '[CLS]',
      'hello',
      '[SEP]',
      'world',
      '[UNK]',
      '[UNK]',
      '[UNK]',
      '[SEP]',
    ]);
  });

  it('drops control characters, NUL, U+FFFD and lone surrogates; whitespace variants split', () => {
    const text = 'a\u0000b\u200b\ufffd\ud800 hello\u00a0world\u3000\tthe\udc00';
    const e = t.encode(text);
    expect([...e.ids].map((id) => t.idToToken(id))).toEqual(['[CLS]', 'a', '##b', 'hello', 'world', 'the', '[SEP]']);
    expect(e.offsets[2]).toEqual([2, 3]);
  });

  it('encodes pre-split words with offsets inside each word', () => {
    const e = t.encodeWords(['Hello', "world's", '']);
    expect([...e.ids].map((id) => t.idToToken(id))).toEqual(['[CLS]', 'hello', 'world', "'", 's', '[SEP]']);
    expect(e.wordIds).toEqual([null, 0, 1, 1, 1, null]);
    expect(e.offsets).toEqual([
      [0, 0],
      [0, 5],
      [0, 5],
      [5, 6],
      [6, 7],
      [0, 0],
    ]);
  });

  it('encodes empty and whitespace-only texts as [CLS] [SEP]', () => {
    for (const text of ['', '   \n\t', '\u200b']) {
      const e = t.encode(text);
      expect([...e.ids]).toEqual([t.clsId, t.sepId]);
      expect(e.truncated).toBe(false);
    }
  });

  it('truncates to maxLength and says so', () => {
    const e = t.encode('hello world hello world', { maxLength: 4 });
    expect([...e.ids].map((id) => t.idToToken(id))).toEqual(['[CLS]', 'hello', 'world', '[SEP]']);
    expect(e.truncated).toBe(true);
    expect(t.encode('hello world', { maxLength: 4 }).truncated).toBe(false);
    expect(() => t.encode('x', { maxLength: 1 })).toThrow(TokenizerArgumentError);
  });

  it('pads a batch to its longest sequence with the pad id', () => {
    const b = t.encodeBatch(['hello', 'hello world !', '']);
    expect(b.seqLength).toBe(5);
    expect([...b.inputIds.subarray(0, 5)]).toEqual([t.clsId, t.tokenToId('hello'), t.sepId, t.padId, t.padId]);
    expect([...b.attentionMask.subarray(0, 5)]).toEqual([1, 1, 1, 0, 0]);
    expect([...b.attentionMask.subarray(10, 15)]).toEqual([1, 1, 0, 0, 0]);
  });

  it('slides windows that own every token exactly once', () => {
    const text = Array.from({ length: 23 }, (_, i) => (i % 3 === 0 ? 'unaffable' : 'hello')).join(' ');
    const full = t.encode(text);
    const windows = t.encodeWindows(text, 8, 3);
    expect(windows.length).toBeGreaterThan(3);
    for (const w of windows) expect(w.ids.length).toBeLessThanOrEqual(8);
    const stitched = stitchWindows(
      windows,
      windows.map((w) => w.ids),
    );
    expect(stitched).toEqual([...full.ids.subarray(1, -1)]);
    expect(
      stitchWindows(
        windows,
        windows.map((w) => w.offsets),
      ),
    ).toEqual(full.offsets.slice(1, -1));
    expect(() => t.encodeWindows(text, 8, 6)).toThrow(TokenizerArgumentError);
    expect(t.encodeWindows('', 8, 2)).toHaveLength(1);
  });
});

describe('robustness (property tests)', () => {
  const t = tiny();
  // Characters from every class the tokenizer treats differently, plus lone surrogates.
  const pieces = [
    'a',
    'B',
    'é',
    'e\u0301',
    'İ',
    'Σ',
    '中',
    '한',
    'م',
    'ש',
    '👍🏽',
    '👨‍👩‍👧',
    '🏳️‍🌈',
    '\u200b',
    '\u0000',
    '\ufffd',
    '\ud800',
    '\udfff',
    ' ',
    '\t',
    '\n',
    '\u00a0',
    '\u3000',
    ',',
    '!',
    "'",
    '$',
    '[SEP]',
    '[UNK',
    'hello',
    'unaffable',
    '\u0085',
    '\u1fef',
  ];
  const textArb = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(''));

  it('never throws; offsets are valid, non-empty, ordered ranges of the input', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const e = t.encode(text);
        let prev = 0;
        e.offsets.forEach(([s, x], i) => {
          if (e.wordIds[i] === null) return;
          expect(0 <= s && s < x && x <= text.length).toBe(true);
          expect(s).toBeGreaterThanOrEqual(prev);
          prev = s;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('windows stitch back to the full encoding for any text, maxLength and stride', () => {
    fc.assert(
      fc.property(textArb, fc.integer({ min: 3, max: 12 }), fc.nat(), (text, maxLength, s) => {
        const stride = s % (maxLength - 2);
        const ws = t.encodeWindows(text, maxLength, stride);
        expect(
          stitchWindows(
            ws,
            ws.map((w) => w.ids),
          ),
        ).toEqual([...t.encode(text).ids.subarray(1, -1)]);
      }),
      { numRuns: 200 },
    );
  });

  it('each token covers its surface in the original text (Latin letters)', () => {
    const latin = fc.array(fc.constantFrom('hello', 'Hello', 'CAFÉ', 'cafe\u0301', 'ab', 'AB', ' ', ',', 'unaffable'), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(latin, (parts) => {
        const text = parts.join('');
        const e = t.encode(text);
        e.offsets.forEach(([s, x], i) => {
          const tok = t.idToToken(e.ids[i]);
          if (e.wordIds[i] === null || tok === '[UNK]') return;
          const surface = text
            .slice(s, x)
            .normalize('NFD')
            .replace(/\p{Mn}/gu, '')
            .toLowerCase();
          expect(surface).toBe(tok.replace(/^##/, ''));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('handles a 100,000-character text and a 100,000-character word', () => {
    const long = 'hello world, unaffable! '.repeat(4200).slice(0, 100_000);
    const e = t.encode(long);
    expect(e.ids.length).toBeGreaterThan(20_000);
    const w = t.encode('a'.repeat(100_000));
    expect([...w.ids]).toEqual([t.clsId, t.unkId, t.sepId]);
    expect(w.offsets[1]).toEqual([0, 100_000]);
    expect(t.encode(long, { maxLength: 128 }).ids.length).toBe(128);
  });
});

describe('loading a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mts-tok-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads vocab.txt + tokenizer_config.json (cased model)', () => {
    writeFileSync(join(dir, 'vocab.txt'), [...SPECIALS, 'Hello', 'hello'].join('\n') + '\n');
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false, model_max_length: 64 }));
    const t = WordPieceTokenizer.fromDir(dir);
    expect(t.spec.lowercase).toBe(false);
    expect(t.spec.stripAccents).toBe(false);
    expect(t.spec.modelMaxLength).toBe(64);
    expect(tokens(t, 'Hello hello')).toEqual(['[CLS]', 'Hello', 'hello', '[SEP]']);
  });

  it('refuses a tokenizer.json that is not BERT WordPiece, naming the field', () => {
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify({
        normalizer: null,
        pre_tokenizer: null,
        post_processor: null,
        model: { type: 'BPE', vocab: { a: 0 } },
      }),
    );
    expect(() => WordPieceTokenizer.fromDir(dir)).toThrow(/model\.type "BPE"/);
    expect(() => WordPieceTokenizer.fromDir(join(dir, 'missing'))).toThrow(TokenizerLoadError);
  });
});
