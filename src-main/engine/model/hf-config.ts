import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type BertDims, validateDims } from './dims';
import { type ParamSpec, encoderParamSpecs } from './param-names';
import type { ParamTensor } from './param-store';
import { type SafetensorsFile, type TensorInfo, readSafetensors } from './safetensors';

/** A Hugging Face folder (or file in it) that is not a BERT-like model this engine can load. */
export class HfModelError extends Error {
  override readonly name = 'HfModelError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);

/** config.json of a BERT-family model; defaults are transformers' BertConfig defaults. Unknown keys are kept. */
export const hfBertConfigSchema = z
  .object({
    model_type: z.string().optional(),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    intermediate_size: positiveInt,
    hidden_act: z.string().default('gelu'),
    max_position_embeddings: positiveInt.default(512),
    type_vocab_size: z.number().int().nonnegative().default(2),
    layer_norm_eps: z.number().positive().default(1e-12),
    hidden_dropout_prob: probability.default(0.1),
    attention_probs_dropout_prob: probability.default(0.1),
    position_embedding_type: z.string().default('absolute'),
    pad_token_id: z.number().int().nonnegative().default(0),
  })
  .loose();

/** A parsed, checked BERT config: the raw JSON (kept to write back) and the engine's sizes. */
export interface HfBertConfig {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly dims: BertDims;
  readonly hiddenDropoutProb: number;
  readonly attentionDropoutProb: number;
  readonly padTokenId: number;
}

// Model types whose checkpoints use BertModel's layout and math (post-LN, absolute positions, erf GELU).
const BERT_LIKE = new Set(['bert']);

/** Validates a config.json object; a model that is not BERT-like is refused with the field that says so. */
export function parseHfBertConfig(raw: unknown, source = 'config.json'): HfBertConfig {
  const refuse = (field: string, value: unknown, expected: string): never => {
    throw new HfModelError(
      source,
      `${field} is ${JSON.stringify(value)} but this engine only trains BERT-like encoders (${expected}); pick a BERT-family model such as all-MiniLM-L6-v2, bge-small or e5-small`,
    );
  };
  // Another architecture's config lacks BERT's fields: say what it is rather than which field is missing.
  const modelType = (raw as { model_type?: unknown } | null)?.model_type;
  if (typeof modelType === 'string' && !BERT_LIKE.has(modelType)) refuse('model_type', modelType, '"bert"');
  const parsed = hfBertConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HfModelError(source, `field "${issue.path.join('.')}": ${issue.message}; a BERT config.json needs it`);
  }
  const c = parsed.data;
  if (c.model_type !== undefined && !BERT_LIKE.has(c.model_type)) refuse('model_type', c.model_type, '"bert"');
  if (c.hidden_act !== 'gelu') refuse('hidden_act', c.hidden_act, '"gelu" (exact erf GELU)');
  if (c.position_embedding_type !== 'absolute')
    refuse('position_embedding_type', c.position_embedding_type, '"absolute"');
  const dims: BertDims = {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    intermediateSize: c.intermediate_size,
    maxPositions: c.max_position_embeddings,
    typeVocabSize: c.type_vocab_size,
    layerNormEps: c.layer_norm_eps,
  };
  try {
    validateDims(dims);
  } catch (err) {
    throw new HfModelError(source, (err as Error).message);
  }
  return {
    raw: raw as Record<string, unknown>,
    dims,
    hiddenDropoutProb: c.hidden_dropout_prob,
    attentionDropoutProb: c.attention_probs_dropout_prob,
    padTokenId: c.pad_token_id,
  };
}

/** Reads and validates `dir/config.json`. */
export function loadHfBertConfig(dir: string): HfBertConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path))
    throw new HfModelError(dir, 'has no config.json; point the app at a Hugging Face model folder');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HfModelError(path, `is not valid JSON (${(err as Error).message})`);
  }
  return parseHfBertConfig(raw, path);
}

/** Pooler tensors (BertModel saves them; this engine pools itself and ignores them). */
export function poolerParamSpecs(dims: BertDims): ParamSpec[] {
  return [
    { name: 'pooler.dense.weight', shape: [dims.hiddenSize, dims.hiddenSize] },
    { name: 'pooler.dense.bias', shape: [dims.hiddenSize] },
  ];
}

/** Expected encoder tensors (HF BertModel names, no "bert." prefix; linear weights [out, in]). */
export function expectedBertParams(dims: BertDims, options: { readonly pooler?: boolean } = {}): ParamSpec[] {
  return options.pooler ? [...encoderParamSpecs(dims), ...poolerParamSpecs(dims)] : encoderParamSpecs(dims);
}

/** Names a canonical parameter may have in a checkpoint: BertFor* models prefix "bert."; old TF ports say gamma/beta. */
function candidates(name: string): string[] {
  const legacy = name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
  const names = [name, `bert.${name}`];
  if (legacy !== name) names.push(legacy, `bert.${legacy}`);
  return names;
}

/**
 * Maps every expected encoder tensor to its entry in the file, checking shapes and float dtypes. Pooler,
 * heads, position_ids and other extra tensors are ignored. Lists every problem at once.
 */
export function resolveBertWeights(dims: BertDims, file: SafetensorsFile): Map<string, TensorInfo> {
  const found = new Map<string, TensorInfo>();
  const problems: string[] = [];
  for (const spec of expectedBertParams(dims)) {
    const hit = candidates(spec.name).find((n) => file.tensors.has(n));
    if (hit === undefined) {
      problems.push(`missing ${spec.name} [${spec.shape}]`);
      continue;
    }
    const info = file.info(hit);
    if (info.shape.length !== spec.shape.length || info.shape.some((d, i) => d !== spec.shape[i])) {
      problems.push(`${hit} has shape [${info.shape}], config.json needs [${spec.shape}]`);
    } else if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) {
      problems.push(`${hit} has dtype ${info.dtype}, expected a float type`);
    } else {
      found.set(spec.name, info);
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 8).join('; ');
    const more = problems.length > 8 ? `; and ${problems.length - 8} more` : '';
    throw new HfModelError(
      file.source,
      `does not match config.json: ${shown}${more}. Use the weights that came with this config.json`,
    );
  }
  return found;
}

/** Loads config.json + model.safetensors of a BERT folder into float32 parameters under canonical names. */
export function loadBertEncoder(dir: string): {
  readonly config: HfBertConfig;
  readonly params: Map<string, ParamTensor>;
} {
  const config = loadHfBertConfig(dir);
  const path = join(dir, 'model.safetensors');
  if (!existsSync(path)) {
    throw new HfModelError(
      dir,
      'has no model.safetensors; convert pytorch_model.bin with transformers (save_pretrained(..., safe_serialization=True))',
    );
  }
  const file = readSafetensors(path);
  const infos = resolveBertWeights(config.dims, file);
  const params = new Map<string, ParamTensor>();
  for (const [name, info] of infos) params.set(name, { data: file.float32(info.name), shape: info.shape });
  return { config, params };
}
