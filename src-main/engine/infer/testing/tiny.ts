// Test helpers: a tiny real WordPiece tokenizer and a forward function whose logits are a fixed function of
// each token id (context-free), so windowed, batched and single predictions must agree exactly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WordPieceTokenizer } from '../../tokenizer';
import type { BatchFeeds, ForwardFn, ForwardOutputs, OutputRequest } from '../ports';

const WORDS = [
  'john',
  'smith',
  'lives',
  'in',
  'paris',
  'new',
  'york',
  'the',
  'bank',
  'of',
  'france',
  'said',
  'apple',
  'inc',
  'and',
  'a',
  'on',
  'monday',
];

/** Vocabulary of the tiny tokenizer (ids are positions). */
export const TINY_VOCAB: readonly string[] = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  ...WORDS,
  '##s',
  '##es',
  '##ed',
  '.',
  ',',
  '!',
  '?',
  '-',
  '日',
  '本',
  'e',
  'i',
  'o',
  'u',
  '##a',
  '##e',
  '##i',
  '##o',
  '##u',
];

/** Writes the tiny tokenizer as a Hugging Face folder (vocab.txt + tokenizer_config.json). */
export function writeTinyTokenizerDir(dir: string): void {
  writeFileSync(join(dir, 'vocab.txt'), `${TINY_VOCAB.join('\n')}\n`);
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: 512 }));
}

/** A small BERT-style tokenizer (uncased, with ## pieces and punctuation) built in memory. */
export function tinyTokenizer(): WordPieceTokenizer {
  return new WordPieceTokenizer({
    vocab: TINY_VOCAB,
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
}

/** Tags and classes used with `idForward`. */
export const TINY_LABELS = {
  classification: ['World', 'Sports', 'Business'],
  ner: ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'],
} as const;

// Deterministic per-id scores: id 5..7 (john, smith, lives) lean PER, 9.. LOC, the rest O; mixed margins so
// confidences differ and some tags are I- without B- (exercises the seqeval repair).
function tokenScores(id: number, k: number, out: Float32Array, at: number): void {
  for (let j = 0; j < k; j++) out[at + j] = Math.sin(id * 1.7 + j * 2.3) * 0.5;
  const favourite = id < 5 ? 0 : id % k;
  out[at + favourite] += 2 + (id % 3) * 0.5;
}

/**
 * A forward pass whose token logits depend only on each token's id, class logits on the mean id over the
 * attended tokens, and the embedding on the id sum: results must not depend on padding, batching or windows.
 */
export function idForward(calls?: BatchFeeds[]): ForwardFn {
  const c = TINY_LABELS.classification.length;
  const k = TINY_LABELS.ner.length;
  return (feeds: BatchFeeds, want: OutputRequest): Promise<ForwardOutputs> => {
    calls?.push(feeds);
    const { batch: b, seq: t } = feeds;
    const tokenLogits = new Float32Array(b * t * k); // [B, T, K]
    const classLogits = new Float32Array(b * c); // [B, C]
    const sentenceEmbedding = new Float32Array(b * 2); // [B, 2]
    for (let r = 0; r < b; r++) {
      let sum = 0;
      let n = 0;
      for (let p = 0; p < t; p++) {
        const id = Number(feeds.inputIds[r * t + p]);
        tokenScores(id, k, tokenLogits, (r * t + p) * k);
        if (feeds.attentionMask[r * t + p] === 1n) {
          sum += id;
          n++;
        }
      }
      for (let j = 0; j < c; j++) classLogits[r * c + j] = Math.cos((sum / n) * (j + 1));
      sentenceEmbedding[r * 2] = sum;
      sentenceEmbedding[r * 2 + 1] = n;
    }
    return Promise.resolve({ classLogits, tokenLogits, ...(want.sentenceEmbedding && { sentenceEmbedding }) });
  };
}
