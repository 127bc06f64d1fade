// Text files of an export bundle: labels.json, the model card, the per-head Hugging Face config and a
// tokenizer.json for folders that only have vocab.txt.
import type { TokenizerSpec } from '../tokenizer';
import type { HeadKind } from './graphs';
import type { HeadLabels } from './types';

/** What the model card says about how the model was made; numbers are printed as given. */
export interface ModelCardInfo {
  readonly name: string;
  /** Base encoder, e.g. "sentence-transformers/all-MiniLM-L6-v2". */
  readonly baseModel: string;
  /** Training data in a sentence or two (datasets, sizes, silver or gold labels). */
  readonly data: string;
  /** Freeze preset the run used. */
  readonly preset: string;
  /** Metric name -> value, e.g. { "dev accuracy": 0.919, "dev entity F1": 0.671 }. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** labels.json: both heads' labels plus what a caller needs to prepare inputs. */
export function labelsJson(labels: HeadLabels, pooling: string, maxLength: number): string {
  return `${JSON.stringify({ classification: labels.classification, ner: labels.ner, pooling, maxLength }, null, 2)}\n`;
}

/** config.json of one head folder: the encoder's BERT config plus id2label/label2id (transformers.js layout). */
export function headConfigJson(
  baseConfig: Readonly<Record<string, unknown>>,
  head: HeadKind,
  labels: readonly string[],
): string {
  const { mts: _mts, architectures: _arch, id2label: _i, label2id: _l, ...encoder } = baseConfig;
  const config = {
    ...encoder,
    model_type: 'bert',
    architectures: [head === 'classification' ? 'BertForSequenceClassification' : 'BertForTokenClassification'],
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A Hugging Face tokenizers file (BertNormalizer + BertPreTokenizer + WordPiece + [CLS]/[SEP] template) for a spec. */
export function bertTokenizerJson(spec: TokenizerSpec): string {
  const id = (t: string): number => spec.vocab.indexOf(t);
  const special = (t: string): object => ({
    id: id(t),
    content: t,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tj = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: spec.addedTokens.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: spec.cleanText,
      handle_chinese_chars: spec.handleChineseChars,
      strip_accents: spec.stripAccents,
      lowercase: spec.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: spec.clsToken, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: spec.sepToken, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: spec.clsToken, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: spec.sepToken, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: spec.sepToken, type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        [spec.clsToken, spec.sepToken].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: spec.continuingSubwordPrefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: spec.unkToken,
      continuing_subword_prefix: spec.continuingSubwordPrefix,
      max_input_chars_per_word: spec.maxInputCharsPerWord,
      vocab: Object.fromEntries(spec.vocab.map((t, i) => [t, i])),
    },
  };
  return JSON.stringify(tj);
}

/** tokenizer_config.json matching the spec (what transformers.js reads besides tokenizer.json). */
export function tokenizerConfigJson(spec: TokenizerSpec): string {
  return `${JSON.stringify(
    {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: spec.lowercase,
      strip_accents: spec.stripAccents === spec.lowercase ? null : spec.stripAccents,
      tokenize_chinese_chars: spec.handleChineseChars,
      unk_token: spec.unkToken,
      cls_token: spec.clsToken,
      sep_token: spec.sepToken,
      pad_token: spec.padToken,
      model_max_length: spec.modelMaxLength ?? 512,
    },
    null,
    2,
  )}\n`;
}

function table(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** README.md model card: what the model is, how it was trained, its numbers, files and I/O, limits. */
export function modelCard(info: ModelCardInfo, labels: HeadLabels, hiddenSize: number, maxLength: number): string {
  const metrics = Object.entries(info.metrics);
  const types = [...new Set(labels.ner.filter((t) => t !== 'O').map((t) => t.slice(2)))];
  return `# ${info.name}

A multi-task BERT-family model exported by Multitask Studio: one shared encoder (${info.baseModel}) with a
sentence-classification head and a BIO named-entity head.

## Training
- Base model: ${info.baseModel}
- Data: ${info.data}
- Freeze preset: ${info.preset}

## Metrics
${metrics.length === 0 ? 'No metrics were recorded for this export.' : table([['metric', 'value'], ['---', '---'], ...metrics.map(([k, v]) => [k, String(v)])])}

## Labels
- Classes (${labels.classification.length}): ${labels.classification.join(', ') || 'none (no classification head)'}
- Entity types (${types.length}): ${types.join(', ') || 'none (no NER head)'}; tags: ${labels.ner.join(', ') || '-'}

## Files
- \`model.onnx\`: both heads. Inputs \`input_ids\`, \`attention_mask\`, \`token_type_ids\` (int64, [batch, seq]).
  Outputs \`class_logits\` [batch, ${labels.classification.length}], \`token_logits\` [batch, seq, ${labels.ner.length}],
  \`sentence_embedding\` [batch, ${hiddenSize}] (pooled encoder output).
- \`labels.json\`: the label lists in output order.
- \`tokenizer.json\`, \`tokenizer_config.json\`, \`vocab.txt\`: the BERT WordPiece tokenizer (Hugging Face format).
- \`classification/\`, \`ner/\`: one folder per head in the Hugging Face / transformers.js layout
  (\`config.json\` with id2label, tokenizer files, \`onnx/model.onnx\` with a single \`logits\` output).
- \`example.mjs\`: runs \`model.onnx\` with onnxruntime-node (\`npm install onnxruntime-node\`, then
  \`node example.mjs "Some text"\`).

## transformers.js
\`\`\`js
import { env, pipeline } from '@huggingface/transformers';
env.localModelPath = '/path/to/this/folder/';
env.allowRemoteModels = false;
const classify = await pipeline('text-classification', 'classification', { dtype: 'fp32' });
const tagger = await pipeline('token-classification', 'ner', { dtype: 'fp32' });
\`\`\`
Only \`onnx/model.onnx\` (float32) is shipped, hence \`dtype: 'fp32'\`.

## Use and limits
- Sequences longer than ${maxLength} tokens were not seen in training: classify the first ${maxLength} tokens and run
  NER over sliding windows, as Multitask Studio does.
- Entity tags are read per word from the first sub-word's prediction; an I- tag without a B- starts an entity
  (the seqeval convention).
- Silver labels teach the labeler's mistakes too: check the entity scores above against gold data before relying
  on them.
`;
}
