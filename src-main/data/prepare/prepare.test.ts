import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import { IGNORE } from '../../engine/trainer';
import { bioLabelList } from '../align';
import { prepareExamples, PrepareError } from './prepare';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'u', 's', '.', 'said', 'in', 'paris', ',', 'world'];
const tokenizer = new WordPieceTokenizer({
  vocab: VOCAB,
  cleanText: true,
  handleChineseChars: true,
  stripAccents: true,
  lowercase: true,
  unkToken: '[UNK]',
  clsToken: '[CLS]',
  sepToken: '[SEP]',
  padToken: '[PAD]',
  addedTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
  continuingSubwordPrefix: '##',
  maxInputCharsPerWord: 100,
  modelMaxLength: 512,
});
const TAGS = bioLabelList(['LOC']); // O, B-LOC, I-LOC
const tag = (t: string): number => TAGS.indexOf(t);

describe('prepareExamples', () => {
  it('labels CoNLL tokens on the words the predictor reads raw text as ("U.S." is four words, all in the entity)', () => {
    const { examples } = prepareExamples(
      [
        {
          text: 'the U.S. said in Paris ,',
          tokens: ['the', 'U.S.', 'said', 'in', 'Paris', ','],
          spans: [
            { start: 4, end: 8, type: 'LOC' },
            { start: 17, end: 22, type: 'LOC' },
          ],
          label: 'World',
        },
      ],
      tokenizer,
      { classLabels: ['World'], nerTags: TAGS, maxLength: 32, hasNer: true },
    );
    const ex = examples[0]!;
    expect(ex.ids.map((id) => VOCAB[id])).toEqual([
      '[CLS]',
      'the',
      'u',
      '.',
      's',
      '.',
      'said',
      'in',
      'paris',
      ',',
      '[SEP]',
    ]);
    expect(ex.nerLabels).toEqual([
      IGNORE,
      tag('O'),
      tag('B-LOC'),
      tag('I-LOC'),
      tag('I-LOC'),
      tag('I-LOC'),
      tag('O'),
      tag('O'),
      tag('B-LOC'),
      tag('O'),
      IGNORE,
    ]);
    expect(ex.classLabel).toBe(0);
  });

  it('refuses a class outside the label set, naming the example', () => {
    expect(() =>
      prepareExamples([{ text: 'the world', label: 'Sports' }], tokenizer, {
        classLabels: ['World'],
        nerTags: [],
        maxLength: 8,
        hasNer: false,
      }),
    ).toThrow(PrepareError);
  });
});

describe('prepareExamples NER weights', () => {
  it("gives each sub-token its word's weight (the smallest range over it, else 1) and 1 to specials", () => {
    const text = 'the U.S. said in Paris';
    const { examples } = prepareExamples(
      [
        {
          text,
          spans: [{ start: 17, end: 22, type: 'LOC' }],
          nerWeights: [
            { start: 4, end: 8, weight: 0 },
            { start: 17, end: 22, weight: 0.5 },
            { start: 17, end: 19, weight: 0.25 },
          ],
        },
        { text: 'said in Paris', spans: [] },
      ],
      tokenizer,
      { classLabels: [], nerTags: TAGS, maxLength: 32, hasNer: true },
    );
    const [a, b] = examples;
    expect(a!.ids.map((id) => VOCAB[id])).toEqual(['[CLS]', 'the', 'u', '.', 's', '.', 'said', 'in', 'paris', '[SEP]']);
    expect(a!.nerWeights).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 0.25, 1]);
    expect(b!.nerWeights).toBeUndefined();
  });
});
