// Text files of an export bundle: labels.json, the model card, the per-head Hugging Face config and a
// tokenizer.json for folders that only have vocab.txt.
import type { TokenizerSpec } from '../tokenizer';
import type { HeadKind } from './graphs';
import type { HeadLabels } from './types';

/** What the model card says about how the model was made; metrics are rounded for print (formatMetric). */
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

/**
 * config.json of one head folder: the encoder's BERT config plus id2label/label2id (transformers.js layout), and
 * `transformers.js_config.use_external_data_format` naming the graphs whose weights are in `<graph>_data`.
 */
export function headConfigJson(
  baseConfig: Readonly<Record<string, unknown>>,
  head: HeadKind,
  labels: readonly string[],
  externalDataGraphs: readonly string[] = [],
): string {
  const { mts: _mts, architectures: _arch, id2label: _i, label2id: _l, ...encoder } = baseConfig;
  const config = {
    ...encoder,
    model_type: 'bert',
    architectures: [head === 'classification' ? 'BertForSequenceClassification' : 'BertForTokenClassification'],
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    ...(externalDataGraphs.length > 0 && {
      'transformers.js_config': { use_external_data_format: Object.fromEntries(externalDataGraphs.map((g) => [g, 1])) },
    }),
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

/** A file the bundle holds, as written (bundle-relative name, bytes); `sameAs`: a hard link of that file. */
export interface BundleFile {
  readonly name: string;
  readonly bytes: number;
  readonly sameAs?: string;
}

/** A file the writer copied because the filesystem refused a hard link (BundleWriter.copies). */
export interface CopiedLink {
  readonly name: string;
  readonly target: string;
  readonly reason: string;
}

/** A metric for the card: ratios as percentages with one decimal, anything else to 4 significant digits. */
export function formatMetric(value: number): string {
  return value >= 0 && value <= 1 ? `${(100 * value).toFixed(1)} %` : String(Number(value.toPrecision(4)));
}

/** "86.7 MiB", "512 KiB", "900 B". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

// What each kind of file is, for the card's file list; the list itself is the files actually written.
function describeFile(name: string, labels: HeadLabels, hiddenSize: number): string {
  const io =
    `inputs \`input_ids\`, \`attention_mask\`, \`token_type_ids\` (int64, [batch, seq]); outputs \`class_logits\` ` +
    `[batch, ${labels.classification.length}], \`token_logits\` [batch, seq, ${labels.ner.length}], \`sentence_embedding\` [batch, ${hiddenSize}]`;
  if (name === 'model.onnx') return `both heads, float32; ${io}`;
  if (name === 'model.onnx_data') return 'the float32 weights of every float32 graph (ONNX external data)';
  if (name === 'model.int8.onnx_data') return 'the weights of every int8 graph (ONNX external data)';
  if (name === 'model.int8.onnx')
    return `the same graph with the encoder's dense layers in int8 (embeddings stay float32)`;
  if (name.endsWith('/onnx/model.onnx'))
    return 'this head alone, float32, single `logits` output (transformers.js `dtype: "fp32"`)';
  if (name.endsWith('/onnx/model_quantized.onnx'))
    return 'this head alone, int8 dense layers (transformers.js `dtype: "q8"`)';
  if (name.endsWith('config.json') && name.includes('/')) return "the encoder config with this head's id2label";
  if (name === 'labels.json') return 'the label lists in output order, pooling and max length';
  if (/(^|\/)(tokenizer\.json|tokenizer_config\.json|vocab\.txt|special_tokens_map\.json)$/.test(name))
    return 'BERT WordPiece tokenizer (Hugging Face format)';
  if (name === 'example.mjs')
    return 'runs `model.onnx` with onnxruntime-node (`npm install onnxruntime-node`, then `node example.mjs "Some text"`)';
  return '';
}

const sum = (list: readonly BundleFile[]): number => list.reduce((n, f) => n + f.bytes, 0);

function fileLine(f: BundleFile, what: string): string {
  if (f.sameAs !== undefined)
    return `- \`${f.name}\`: hard link of \`${f.sameAs}\` (same ${formatSize(f.bytes)}, no extra space)`;
  return `- \`${f.name}\` (${formatSize(f.bytes)})${what ? `: ${what}` : ''}`;
}

// The measured sizes: bytes on disk (hard links once), per precision, and what a link-less copy (a zip) takes.
function filesSummary(files: readonly BundleFile[], copies: readonly CopiedLink[]): string {
  const own = files.filter((f) => f.sameAs === undefined);
  const weights = (data: string): BundleFile | undefined => own.find((f) => f.name === data);
  const fp32 = weights('model.onnx_data');
  const int8 = weights('model.int8.onnx_data');
  const graphs = own.filter((f) => f.name.endsWith('.onnx'));
  const links = files.filter((f) => f.sameAs !== undefined);
  const lines = [
    `${files.length + 1} files, ${formatSize(sum(own))} on disk besides this card` +
      (fp32 ? `: float32 weights ${formatSize(fp32.bytes)} (stored once, in \`model.onnx_data\`)` : '') +
      (int8 ? `, int8 weights ${formatSize(int8.bytes)} (stored once, in \`model.int8.onnx_data\`)` : '') +
      (fp32 || int8 ? `, ${graphs.length} graph files ${formatSize(sum(graphs))}` : '') +
      (int8 ? '.' : '; no int8 graphs.'),
  ];
  if (links.length > 0) {
    lines.push(
      `Every graph of a precision reads the same weights: the head folders' weights and tokenizer files are hard ` +
        `links to the files at the root (ONNX Runtime and transformers.js read external data only from the graph's ` +
        `own folder). A zip, most uploads and FAT/exFAT drives do not keep hard links and store each as a full copy: ` +
        `${formatSize(sum(files))} then. The bundle works either way; \`tar\` keeps the links. Load the graphs from ` +
        `their path (not from bytes) so the runtime finds their \`.onnx_data\` file.`,
    );
  }
  if (copies.length > 0) {
    lines.push(
      `This filesystem refused hard links (${[...new Set(copies.map((c) => c.reason))].join(', ')}), so ` +
        `${copies.length === 1 ? '1 file was' : `${copies.length} files were`} written as copies: ` +
        `${copies.map((c) => `\`${c.name}\``).join(', ')}.`,
    );
  }
  return lines.join('\n');
}

/**
 * README.md model card, generated from what the bundle holds: the files list (with sizes) and the transformers.js
 * dtypes are those of `files`, so the card cannot promise a file that was not written.
 */
export function modelCard(
  info: ModelCardInfo,
  labels: HeadLabels,
  hiddenSize: number,
  maxLength: number,
  files: readonly BundleFile[],
  copies: readonly CopiedLink[] = [],
): string {
  const metrics = Object.entries(info.metrics);
  const types = [...new Set(labels.ner.filter((t) => t !== 'O').map((t) => t.slice(2)))];
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const heads = (['classification', 'ner'] as const).filter((h) =>
    sorted.some((f) => f.name === `${h}/onnx/model.onnx`),
  );
  const q8 = heads.length > 0 && heads.every((h) => sorted.some((f) => f.name === `${h}/onnx/model_quantized.onnx`));
  const pipelines = heads.map((h) =>
    h === 'classification'
      ? `const classify = await pipeline('text-classification', 'classification', { dtype: '${q8 ? 'q8' : 'fp32'}' });`
      : `const tagger = await pipeline('token-classification', 'ner', { dtype: '${q8 ? 'q8' : 'fp32'}' });`,
  );
  return `# ${info.name}

A multi-task BERT-family model exported by Multitask Studio: one shared encoder (${info.baseModel}) with a
sentence-classification head and a BIO named-entity head.

## Training
- Base model: ${info.baseModel}
- Data: ${info.data}
- Freeze preset: ${info.preset}

## Metrics
${metrics.length === 0 ? 'No metrics were recorded for this export.' : table([['metric', 'value'], ['---', '---'], ...metrics.map(([k, v]) => [k, formatMetric(v)])])}

## Labels
- Classes (${labels.classification.length}): ${labels.classification.join(', ') || 'none (no classification head)'}
- Entity types (${types.length}): ${types.join(', ') || 'none (no NER head)'}; tags: ${labels.ner.join(', ') || '-'}

## Files
${filesSummary(sorted, copies)}

${sorted.map((f) => fileLine(f, describeFile(f.name, labels, hiddenSize))).join('\n')}
${
  heads.length === 0
    ? ''
    : `
## transformers.js
\`\`\`js
import { env, pipeline } from '@huggingface/transformers';
env.localModelPath = '/path/to/this/folder/';
env.allowRemoteModels = false;
${pipelines.join('\n')}
\`\`\`
${q8 ? "Both `onnx/model.onnx` (float32, `dtype: 'fp32'`) and `onnx/model_quantized.onnx` (int8, `dtype: 'q8'`) are shipped per head." : "Only `onnx/model.onnx` (float32) is shipped per head, hence `dtype: 'fp32'`."}
`
}
## Use and limits
- Sequences longer than ${maxLength} tokens were not seen in training: classify the first ${maxLength} tokens and run
  NER over sliding windows, as Multitask Studio does.
- Entity tags are read per word from the first sub-word's prediction; an I- tag without a B- starts an entity
  (the seqeval convention).
- Silver labels teach the labeler's mistakes too: check the entity scores above against gold data before relying
  on them.
`;
}
