// Sentence embeddings (mean-pooled last hidden states, unit length) from a base model folder or one of our
// checkpoints, through the engine's inference graph; a checkpoint also yields its class predictions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vectors } from '../../data/health';
import { normaliseRows } from '../../data/health';
import {
  checkpointModel,
  createInferenceSession,
  type HeadLabels,
  Predictor,
  sessionForward,
} from '../../engine/infer';
import {
  type BertDims,
  buildEncoder,
  declareParamInitializers,
  encoderParamSpecs,
  int8Linear,
  loadBertEncoder,
  loadCheckpoint,
  type MultiTaskSpec,
  type ParamStore,
  pool,
} from '../../engine/model';
import { Graph, serializeModel } from '../../engine/onnx';
import { createSession, type Session, type SessionOptions } from '../../engine/runtime';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import { ServiceError } from '../api/errors';

export interface EncoderOptions {
  /** Tokens per text (specials included); longer texts are truncated. Default: a checkpoint's own, else 128. */
  readonly maxLength?: number;
  readonly batchSize?: number;
  readonly threads?: number;
  /** 'int8': the encoder's dense layers in int8 (faster on CPUs with int8 dot products). Default 'fp32'. */
  readonly precision?: 'fp32' | 'int8';
}

/** What one pass over a list of texts gives. */
export interface EncodedTexts {
  /** Unit-length sentence embeddings; a text the model cannot read is a zero row. */
  readonly vectors: Vectors;
  /** Predicted class per text when the model has a classification head, else null. */
  readonly predicted: readonly (string | null)[] | null;
}

/** An open encoder; release() frees its ORT session. */
export interface TextEncoder {
  readonly dir: string;
  /** Whether the folder is one of our checkpoints with a classification head (its predictions are used). */
  readonly classifies: boolean;
  encode(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<EncodedTexts>;
  release(): Promise<void>;
}

/** Opens a base model folder (Hugging Face BERT) or a checkpoint folder of ours as a text encoder. */
export async function openEncoder(dir: string, options: EncoderOptions): Promise<TextEncoder> {
  if (!existsSync(join(dir, 'config.json'))) {
    throw new ServiceError(
      'not_found',
      `"${dir}" has no config.json; pass a BERT-family model folder (--model) or a run folder with best/ (--run).`,
    );
  }
  const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  let dims: BertDims;
  let labels: HeadLabels = { classification: [], ner: [] };
  let session: Session;
  const sessionOptions: SessionOptions = options.threads !== undefined ? { threads: options.threads } : {};
  const ckpt = raw['mts'] !== undefined ? loadCheckpoint(dir) : null;
  const m = ckpt ? checkpointModel(ckpt) : null;
  if (m && m.spec.numClasses > 0) {
    // The NER head is not needed here; dropping it keeps the pass to the encoder and the classifier. The
    // embedding is the vector the classifier reads (the checkpoint's own pooling).
    const spec: MultiTaskSpec = { ...m.spec, numNerLabels: 0 };
    labels = { classification: m.labels.classification, ner: [] };
    const store = new Map([...m.store].filter(([name]) => !name.startsWith('heads.ner')));
    session = await createInferenceSession(spec, store, sessionOptions, options.precision ?? 'fp32');
    dims = spec.dims;
  } else {
    const hf = m ? null : loadBertEncoder(dir);
    dims = m ? m.spec.dims : hf!.config.dims;
    const store: ParamStore = m ? m.store : hf!.params;
    session = await createSession(
      serializeModel(meanPooledEncoder(dims, store, options.precision === 'int8')),
      sessionOptions,
    );
  }
  const predictor = new Predictor(WordPieceTokenizer.fromDir(dir), sessionForward(session), labels, {
    maxLength: Math.min(options.maxLength ?? ckpt?.meta.maxLength ?? 128, dims.maxPositions),
    batchSize: options.batchSize ?? 32,
    embeddings: true,
  });
  const classifies = labels.classification.length > 0;
  return {
    dir,
    classifies,
    encode: (texts, onProgress) => encodeAll(predictor, dims.hiddenSize, classifies, texts, onProgress),
    release: () => session.release(),
  };
}

/** Encoder + mean pooling only (no heads): input_ids, attention_mask [B, T] -> sentence_embedding [B, H]. */
function meanPooledEncoder(dims: BertDims, store: ParamStore, int8: boolean): Graph {
  const g = new Graph('health-embedding');
  const params = declareParamInitializers(g, store, encoderParamSpecs(dims));
  const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
  const attentionMask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  const enc = buildEncoder(g, dims, params, { inputIds, attentionMask }, int8 ? { linear: int8Linear } : {});
  g.output(pool(g, enc.lastHiddenState, enc.maskFloat, 'mean'), 'sentence_embedding');
  return g;
}

// Texts go in chunks of similar length (sorted once over the whole list), so padding stays small and
// progress can be reported between chunks.
async function encodeAll(
  predictor: Predictor,
  dim: number,
  classifies: boolean,
  texts: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<EncodedTexts> {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length || a - b);
  const data = new Float32Array(texts.length * dim);
  const predicted: (string | null)[] = new Array<string | null>(texts.length).fill(null);
  const chunk = 512;
  for (let s = 0; s < order.length; s += chunk) {
    const rows = order.slice(s, s + chunk);
    const out = await predictor.predict(rows.map((r) => texts[r]!));
    out.forEach((p, i) => {
      if (!p.ok) return; // empty or unreadable text: a zero row, similar to nothing
      if (p.embedding) data.set(p.embedding, rows[i]! * dim);
      predicted[rows[i]!] = p.label;
    });
    onProgress?.(Math.min(s + chunk, order.length), order.length);
  }
  return { vectors: normaliseRows({ data, rows: texts.length, dim }), predicted: classifies ? predicted : null };
}
