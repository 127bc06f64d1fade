import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HfBertConfig, expectedBertParams, parseHfBertConfig } from '../hf-config';
import { randomTensors } from '../init';
import { writeSafetensors } from '../safetensors';

/** Sizes and content of a tiny random BERT folder (defaults like HF's BertModelTester). */
export interface TinyBertOptions {
  readonly layers?: number;
  readonly hidden?: number;
  readonly heads?: number;
  readonly intermediate?: number;
  readonly maxPositions?: number;
  /** Words of the vocabulary; the five BERT special tokens are put first when absent. Default: TINY_WORDS. */
  readonly vocab?: readonly string[];
  readonly seed?: number;
  /** Save pooler tensors as BertModel does (loaders must ignore them). Default true. */
  readonly pooler?: boolean;
}

/** What writeTinyBert wrote. */
export interface TinyBert {
  readonly dir: string;
  readonly config: HfBertConfig;
  readonly vocab: readonly string[];
}

export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * A small uncased vocabulary: frequent English and news words, single letters and digits with their
 * ## forms, and punctuation, so ordinary English text tokenizes with few [UNK]s.
 */
export const TINY_WORDS: readonly string[] = (() => {
  const words = (
    'the of and to in a is that for it as was with be by on not he i this are or his from at which but have an they ' +
    'you were her she there been one all we their has would when if more no out up so what about who can said also ' +
    'new year years after two first last over into than time world people government president company market ' +
    'state states city country news report week day today game team season win won lost sales stocks oil price ' +
    'prices bank shares percent million billion us u s war police minister officials talks deal plan group ' +
    'internet software computer microsoft google apple iraq china japan india london new york washington paris ' +
    'monday tuesday wednesday thursday friday saturday sunday reuters ap afp john george bush smith ' +
    'play played playing un ##aff ##able run running ran'
  ).split(' ');
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
  const suffixes = ['##s', '##ed', '##ing', '##ly', '##er', '##est', '##ion', '##al'];
  const punct = '.,;:!?\'"()[]{}-_/\\$%&#@*+=<>|~`^'.split('');
  return [...new Set([...words, ...letters, ...letters.map((l) => `##${l}`), ...suffixes, ...punct])];
})();

/** Writes a tiny random BERT folder (config.json, model.safetensors, vocab.txt, tokenizer files) for tests. */
export function writeTinyBert(dir: string, options: TinyBertOptions = {}): TinyBert {
  const words = options.vocab ?? TINY_WORDS;
  const vocab = [...BERT_SPECIAL_TOKENS.filter((t) => !words.includes(t)), ...words];
  const raw = {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocab.length,
    hidden_size: options.hidden ?? 32,
    num_hidden_layers: options.layers ?? 2,
    num_attention_heads: options.heads ?? 4,
    intermediate_size: options.intermediate ?? 64,
    hidden_act: 'gelu',
    max_position_embeddings: options.maxPositions ?? 64,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    initializer_range: 0.02,
    pad_token_id: vocab.indexOf('[PAD]'),
    position_embedding_type: 'absolute',
  };
  const config = parseHfBertConfig(raw, join(dir, 'config.json'));
  // Every tensor random (LayerNorm and biases too) so a swapped or ignored parameter shows in tests.
  const params = randomTensors(expectedBertParams(config.dims, { pooler: options.pooler ?? true }), options.seed ?? 0);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(raw, null, 2));
  writeSafetensors(
    join(dir, 'model.safetensors'),
    [...params].map(([name, t]) => ({ name, shape: t.shape, data: t.data })),
    { format: 'pt' },
  );
  writeFileSync(join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify(
      {
        do_lower_case: true,
        strip_accents: null,
        tokenize_chinese_chars: true,
        model_max_length: raw.max_position_embeddings,
        tokenizer_class: 'BertTokenizer',
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'special_tokens_map.json'),
    JSON.stringify({
      unk_token: '[UNK]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      mask_token: '[MASK]',
    }),
  );
  return { dir, config, vocab };
}
