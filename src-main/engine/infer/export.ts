import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MultiTaskSpec, ParamStore } from '../model';
import { ExternalData, serializeModel } from '../onnx';
import { createSession, type Session } from '../runtime';
import { loadTokenizerSpec, WordPieceTokenizer } from '../tokenizer';
import { padBatch } from './batching';
import {
  bertTokenizerJson,
  headConfigJson,
  labelsJson,
  modelCard,
  tokenizerConfigJson,
  type ModelCardInfo,
} from './bundle-files';
import { BundleWriter, filesOnDisk, uniqueBytes } from './bundle-writer';
import { argmaxProb } from './decode';
import { InferenceError, ExportParityError } from './errors';
import { EXAMPLE_MJS } from './example-script';
import { buildExportGraph, buildHeadGraph, type HeadKind } from './graphs';
import type { BatchFeeds, ForwardFn, ForwardOutputs } from './ports';
import { createInferenceSession, type Precision, sessionFeeds, sessionForward } from './runner';
import type { HeadLabels } from './types';

/** A trained model as the exporter needs it. */
export interface ExportSource {
  readonly spec: MultiTaskSpec;
  readonly store: ParamStore;
  readonly labels: HeadLabels;
  /** Folder with the tokenizer files (tokenizer.json and/or vocab.txt, tokenizer_config.json). */
  readonly tokenizerDir: string;
  /** The encoder's Hugging Face config.json contents (copied into each head folder with id2label). */
  readonly hfConfig: Readonly<Record<string, unknown>>;
}

export interface ExportOptions {
  /** Replace an existing outDir (only after the new bundle passed its checks). Default false. */
  readonly overwrite?: boolean;
  /** Extra texts for the parity check (a built-in varied set is always used). */
  readonly sampleTexts?: readonly string[];
  /** Max abs difference allowed between the exported graphs and the in-app predictor. Default 1e-4. */
  readonly tolerance?: number;
  /** Token limit written to labels.json and used for the parity batch. Default 128. */
  readonly maxLength?: number;
  /** The in-app forward to compare with; default: a session of the app's own inference graph for `source`. */
  readonly reference?: ForwardFn;
  /**
   * Also write int8 graphs (model/quantize.ts): model.int8.onnx and, per head, onnx/model_quantized.onnx (the
   * file transformers.js loads with dtype 'q8'), all over one model.int8.onnx_data; checked against the in-app
   * int8 predictor the same way.
   */
  readonly int8?: boolean;
}

/** One compared output: the largest absolute difference found. */
export interface ParityResult {
  readonly file: string;
  readonly output: string;
  readonly maxAbsDiff: number;
}

export interface ExportReport {
  readonly outDir: string;
  /** Bundle-relative file names. */
  readonly files: readonly string[];
  readonly parity: readonly ParityResult[];
  readonly sampleCount: number;
  /** Bytes the bundle takes on disk, each hard-linked file counted once. */
  readonly bytesOnDisk: number;
  /** Bytes where hard links become full copies (a zip, an upload, a FAT/exFAT drive). */
  readonly bytesAsCopies: number;
  /** With int8: how far the int8 graph's outputs are from fp32 on the sample texts (not a parity failure). */
  readonly int8Drift?: Int8Drift;
}

/** int8 against fp32 on the export's sample texts. */
export interface Int8Drift {
  /** Share of sample texts whose arg-max class is the same (null without a classification head). */
  readonly sameClass: number | null;
  /** Share of real (non-padding) tokens whose arg-max tag is the same (null without a NER head). */
  readonly sameTag: number | null;
}

const PARITY_TEXTS = [
  'John Smith flew from Paris to New York on Monday.',
  'Stocks fell 3% as the Federal Reserve raised rates.',
  'a',
  'Émile Zola, 日本, שלום and 👍🏽 in one line!',
  'The quick brown fox jumps over the lazy dog. '.repeat(8),
];

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json'] as const;

/**
 * Writes an export bundle: model.onnx (both heads + sentence embedding) with its weights in model.onnx_data,
 * tokenizer files, labels.json, a README.md model card, example.mjs, and one transformers.js-style folder per
 * head whose weights and tokenizer files are hard links to the root's (one copy on disk). The exported graphs are
 * read back from disk and run against the in-app predictor on sample texts; a difference above the
 * tolerance fails the export and leaves outDir untouched. Everything is written to a temp folder first.
 */
export async function exportBundle(
  source: ExportSource,
  outDir: string,
  card: ModelCardInfo,
  options: ExportOptions = {},
): Promise<ExportReport> {
  checkSource(source);
  const maxLength = options.maxLength ?? 128;
  const writer = new BundleWriter(outDir, options.overwrite ?? false);
  try {
    const heads = headKinds(source);
    const tokenizerFiles = tokenizerFileContents(source.tokenizerDir);
    for (const [name, data] of tokenizerFiles) writer.write(name, data);
    writer.write('labels.json', labelsJson(source.labels, source.spec.pooling, maxLength));
    writer.write('example.mjs', EXAMPLE_MJS);
    for (const head of heads) {
      const labels = head === 'classification' ? source.labels.classification : source.labels.ner;
      const dataFiles = [FP32_FILES.head, ...(options.int8 ? [INT8_FILES.head] : [])];
      writer.write(`${head}/config.json`, headConfigJson(source.hfConfig, head, labels, dataFiles));
      // transformers.js reads the tokenizer from each head folder: links to the one copy at the root.
      for (const name of tokenizerFiles.keys()) writer.link(`${head}/${name}`, name);
    }
    writeGraphs(source, writer, heads, card.name, 'fp32');
    if (options.int8) writeGraphs(source, writer, heads, card.name, 'int8');
    // Written last, from the files as they are on disk: the card lists what the bundle holds.
    const written = filesOnDisk(writer.tempDir, writer.files);
    writer.write(
      'README.md',
      modelCard(card, source.labels, source.spec.dims.hiddenSize, maxLength, written, writer.copies),
    );
    const texts = [...PARITY_TEXTS, ...(options.sampleTexts ?? [])];
    const feeds = parityFeeds(source.tokenizerDir, texts, maxLength);
    const fp32 = await checkParity(source, writer, heads, feeds, 'fp32', options.reference);
    const int8 = options.int8 ? await checkParity(source, writer, heads, feeds, 'int8') : undefined;
    const parity = [...fp32.results, ...(int8?.results ?? [])];
    const tolerance = options.tolerance ?? 1e-4;
    const worst = parity.reduce((a, b) => (b.maxAbsDiff > a.maxAbsDiff ? b : a));
    if (!(worst.maxAbsDiff <= tolerance))
      throw new ExportParityError(`${worst.file}:${worst.output}`, worst.maxAbsDiff, tolerance);
    writer.commit();
    const onDisk = filesOnDisk(writer.outDir, writer.files);
    return {
      outDir: writer.outDir,
      files: writer.files,
      bytesOnDisk: uniqueBytes(onDisk),
      bytesAsCopies: onDisk.reduce((n, f) => n + f.bytes, 0),
      parity,
      sampleCount: texts.length,
      ...(int8 && { int8Drift: drift(fp32.expected, int8.expected, feeds) }),
    };
  } catch (e) {
    writer.abort();
    throw e;
  }
}

function checkSource(source: ExportSource): void {
  const { spec, labels } = source;
  if (labels.classification.length !== spec.numClasses || labels.ner.length !== spec.numNerLabels) {
    throw new InferenceError(
      `The labels (${labels.classification.length} classes, ${labels.ner.length} NER tags) do not match the model ` +
        `(${spec.numClasses} classes, ${spec.numNerLabels} tags); export the labels saved with the checkpoint.`,
    );
  }
}

function headKinds(source: ExportSource): HeadKind[] {
  return [
    ...(source.spec.numClasses > 0 ? ['classification' as const] : []),
    ...(source.spec.numNerLabels > 0 ? ['ner' as const] : []),
  ];
}

/** Tokenizer files copied from the model folder; tokenizer.json / tokenizer_config.json generated when missing. */
function tokenizerFileContents(dir: string): Map<string, string | Uint8Array> {
  const files = new Map<string, string | Uint8Array>();
  for (const name of TOKENIZER_FILES) {
    const path = join(dir, name);
    if (existsSync(path)) files.set(name, readFileSync(path));
  }
  const spec = loadTokenizerSpec(dir);
  const copied = files.get('tokenizer.json');
  files.set('tokenizer.json', copied === undefined ? bertTokenizerJson(spec) : withoutFixedShapes(copied));
  if (!files.has('tokenizer_config.json')) files.set('tokenizer_config.json', tokenizerConfigJson(spec));
  if (!files.has('vocab.txt')) files.set('vocab.txt', `${spec.vocab.join('\n')}\n`);
  return files;
}

// Some model folders (all-MiniLM-L6-v2) ship tokenizer.json with fixed padding to 128 and truncation: a
// bundle's tokenizer should return the real tokens and let the caller pad per batch, as the app does.
function withoutFixedShapes(raw: string | Uint8Array): string {
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InferenceError(
      `tokenizer.json is not valid JSON (${(e as Error).message}); fix or remove it so it can be regenerated from vocab.txt.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InferenceError(
      'tokenizer.json is not a JSON object; fix or remove it so it can be regenerated from vocab.txt.',
    );
  }
  return JSON.stringify({ ...parsed, truncation: null, padding: null });
}

function parityFeeds(tokenizerDir: string, texts: readonly string[], maxLength: number): BatchFeeds {
  const tok = WordPieceTokenizer.fromDir(tokenizerDir);
  return padBatch(
    texts.map((t) => tok.encode(t, { maxLength }).ids),
    tok.padId,
  );
}

/** Graph file names per precision: the multi-task graph at the root and each head's onnx/ file (transformers.js names). */
const FP32_FILES = { multitask: 'model.onnx', head: 'model.onnx' } as const;
const INT8_FILES = { multitask: 'model.int8.onnx', head: 'model_quantized.onnx' } as const;

/**
 * Writes the multi-task graph and each head's graph of one precision with their weights in ONE external-data
 * file at the root (`<multitask>_data`); each head folder gets `onnx/<head file>_data` as a hard link to it.
 * Every graph references the same tensor names and offsets, so the weights are on disk once. ORT and
 * transformers.js only read external data from the model file's own folder, hence links rather than `../`.
 */
function writeGraphs(
  source: ExportSource,
  writer: BundleWriter,
  heads: readonly HeadKind[],
  name: string,
  precision: Precision,
): void {
  const files = precision === 'fp32' ? FP32_FILES : INT8_FILES;
  const graph = precision === 'fp32' ? {} : ({ quantize: 'int8' } as const);
  const tag = precision === 'fp32' ? '' : ', int8';
  const data = new ExternalData();
  const shared = `${files.multitask}_data`;
  writer.write(
    files.multitask,
    serializeModel(buildExportGraph(source.spec, source.store, graph), {
      docString: precision === 'fp32' ? name : `${name} (int8)`,
      external: { data, location: shared },
    }),
  );
  for (const head of heads) {
    writer.write(
      `${head}/onnx/${files.head}`,
      serializeModel(buildHeadGraph(source.spec, source.store, head, graph), {
        docString: `${name} (${head}${tag})`,
        external: { data, location: `${files.head}_data` },
      }),
    );
  }
  writer.write(shared, data.bytes());
  for (const head of heads) writer.link(`${head}/onnx/${files.head}_data`, shared);
}

/** Runs every exported graph of one precision against the in-app forward of that precision. */
async function checkParity(
  source: ExportSource,
  writer: BundleWriter,
  heads: readonly HeadKind[],
  feeds: BatchFeeds,
  precision: Precision,
  given?: ForwardFn,
): Promise<{ readonly results: ParityResult[]; readonly expected: ForwardOutputs }> {
  let own: Session | undefined;
  const reference =
    given ?? sessionForward((own = await createInferenceSession(source.spec, source.store, {}, precision)));
  const names = precision === 'fp32' ? FP32_FILES : INT8_FILES;
  const files = { multitask: names.multitask, head: (h: HeadKind) => `${h}/onnx/${names.head}` };
  try {
    const expected = await reference(feeds, { sentenceEmbedding: true });
    const byName: Record<string, Float32Array | undefined> = {
      class_logits: expected.classLogits,
      token_logits: expected.tokenLogits,
      sentence_embedding: expected.sentenceEmbedding,
    };
    const results = await compareFile(writer, files.multitask, feeds, (name) => byName[name]);
    for (const head of heads) {
      const want = head === 'classification' ? expected.classLogits : expected.tokenLogits;
      results.push(
        ...(await compareFile(writer, files.head(head), feeds, (name) => (name === 'logits' ? want : undefined))),
      );
    }
    return { results, expected };
  } finally {
    await own?.release();
  }
}

/** Arg-max agreement of int8 with fp32 per text (classes) and per real token (tags). */
function drift(fp32: ForwardOutputs, int8: ForwardOutputs, feeds: BatchFeeds): Int8Drift {
  const argmaxAgreement = (a: Float32Array, b: Float32Array, width: number, keep: (row: number) => boolean) => {
    let same = 0;
    let rows = 0;
    for (let r = 0; r * width < a.length; r++) {
      if (!keep(r)) continue;
      rows++;
      if (argmaxProb(a, r * width, width).index === argmaxProb(b, r * width, width).index) same++;
    }
    return rows ? same / rows : null;
  };
  const width = (x: Float32Array, rows: number): number => x.length / rows;
  const { classLogits: ca, tokenLogits: ta } = fp32;
  const { classLogits: cb, tokenLogits: tb } = int8;
  return {
    sameClass: ca && cb ? argmaxAgreement(ca, cb, width(ca, feeds.batch), () => true) : null,
    sameTag:
      ta && tb
        ? argmaxAgreement(ta, tb, width(ta, feeds.batch * feeds.seq), (r) => feeds.attentionMask[r] === 1n)
        : null,
  };
}

// Runs the file as written to disk (what users get) and compares every output with the reference.
async function compareFile(
  writer: BundleWriter,
  file: string,
  feeds: BatchFeeds,
  expected: (output: string) => Float32Array | undefined,
): Promise<ParityResult[]> {
  // From the path, as users load it: ORT reads the external data file beside it.
  const session = await createSession(writer.pathOf(file), { device: 'cpu' });
  try {
    const out = await session.run(sessionFeeds(session, feeds));
    return session.outputNames.map((output) => {
      const want = expected(output);
      const got = out[output];
      if (!want || !got || got.dtype !== 'float32') {
        throw new InferenceError(
          `Parity check: ${file} output '${output}' has no in-app counterpart or is not float32; the export graph is wrong.`,
        );
      }
      return { file, output, maxAbsDiff: maxAbsDiff(got.data, want) };
    });
  } finally {
    await session.release();
  }
}

/** Largest |a - b| (Infinity when lengths differ or a value is NaN). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
