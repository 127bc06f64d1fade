import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  type HfBertConfig,
  HfModelError,
  expectedBertParams,
  parseHfBertConfig,
  resolveBertWeights,
} from './hf-config';
import { HEAD_NAMES } from './param-names';
import { type ParamStore, type ParamTensor, checkStore } from './param-store';
import { type F32Tensor, fsyncDir, readSafetensors, writeSafetensors } from './safetensors';

/** A checkpoint that cannot be written or read; the message names the folder and what to do. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(`checkpoint ${dir}: ${message}`);
  }
}

const labels = z
  .array(z.string().min(1))
  .min(1)
  .refine((l) => new Set(l).size === l.length, 'labels must be unique');

/** Our keys in config.json under "mts": what the heads predict and how sentences are pooled. */
export const mtsMetaSchema = z
  .object({
    version: z.literal(1),
    heads: z.object({
      classification: z.object({ labels }).optional(),
      ner: z.object({ labels }).optional(),
    }),
    pooling: z.enum(['mean', 'cls', 'max']),
    maxLength: z.number().int().positive().optional(),
    /** Free-form provenance (run id, step, metrics); not interpreted here. */
    extra: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type MtsMeta = z.infer<typeof mtsMetaSchema>;

/** Names in model.safetensors of the task heads (encoder tensors keep BertModel names, so transformers loads them). */
export const CHECKPOINT_HEAD_NAMES: Readonly<Record<string, string>> = {
  [HEAD_NAMES.classification.weight]: 'classifier.weight',
  [HEAD_NAMES.classification.bias]: 'classifier.bias',
  [HEAD_NAMES.ner.weight]: 'ner_classifier.weight',
  [HEAD_NAMES.ner.bias]: 'ner_classifier.bias',
};

const TOKENIZER_FILES = ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

/** What saveCheckpoint writes. */
export interface CheckpointInput {
  readonly config: HfBertConfig;
  readonly meta: MtsMeta;
  /** Encoder tensors (BertModel names) and head tensors (HEAD_NAMES); nothing else. */
  readonly params: ParamStore;
  /** Folder whose tokenizer files are copied (the base model's, or a previous checkpoint's). */
  readonly tokenizerDir: string;
}

/** A loaded checkpoint; load its tokenizer with WordPieceTokenizer.fromDir(dir). */
export interface Checkpoint {
  readonly dir: string;
  readonly config: HfBertConfig;
  readonly meta: MtsMeta;
  /** Encoder and head tensors under engine names (views into the file buffer). */
  readonly params: Map<string, ParamTensor>;
}

function headSpecs(meta: MtsMeta, hidden: number): { name: string; shape: number[] }[] {
  const specs: { name: string; shape: number[] }[] = [];
  const cls = meta.heads.classification?.labels.length;
  const ner = meta.heads.ner?.labels.length;
  if (cls)
    specs.push(
      { name: HEAD_NAMES.classification.weight, shape: [cls, hidden] },
      { name: HEAD_NAMES.classification.bias, shape: [cls] },
    );
  if (ner)
    specs.push({ name: HEAD_NAMES.ner.weight, shape: [ner, hidden] }, { name: HEAD_NAMES.ner.bias, shape: [ner] });
  return specs;
}

/** Checks that params hold exactly the encoder + the heads the meta declares, with matching shapes. */
function validateInput(dir: string, input: CheckpointInput): void {
  const meta = mtsMetaSchema.safeParse(input.meta);
  if (!meta.success)
    throw new CheckpointError(
      dir,
      `meta field "${meta.error.issues[0].path.join('.')}": ${meta.error.issues[0].message}`,
    );
  const specs = [...expectedBertParams(input.config.dims), ...headSpecs(input.meta, input.config.dims.hiddenSize)];
  try {
    checkStore(input.params, specs);
  } catch (err) {
    throw new CheckpointError(dir, `${(err as Error).message} (head sizes follow the label lists in meta.heads)`);
  }
  const allowed = new Set([...specs.map((s) => s.name), 'pooler.dense.weight', 'pooler.dense.bias']);
  const extra = [...input.params.keys()].filter((n) => !allowed.has(n));
  if (extra.length > 0)
    throw new CheckpointError(
      dir,
      `unexpected tensors ${extra.join(', ')}; a checkpoint holds the encoder and the declared heads only`,
    );
  if (!TOKENIZER_FILES.some((f) => existsSync(join(input.tokenizerDir, f)))) {
    throw new CheckpointError(
      dir,
      `tokenizerDir ${input.tokenizerDir} has no vocab.txt or tokenizer.json; pass the base model folder`,
    );
  }
}

function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const siblings = (dir: string, kind: 'tmp' | 'old'): string[] => {
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}.${kind}-`;
  return existsSync(parent)
    ? readdirSync(parent)
        .filter((n) => n.startsWith(prefix))
        .map((n) => join(parent, n))
    : [];
};

/**
 * Brings a checkpoint folder back to a consistent state after a crash during save: if the folder is
 * missing but its previous version was set aside, that version is restored; leftovers are removed.
 */
export function recoverCheckpoint(dir: string): void {
  if (!existsSync(dir)) {
    const old = siblings(dir, 'old').sort().pop();
    if (old !== undefined) {
      renameSync(old, dir);
      fsyncDir(dirname(dir));
    }
  }
  if (existsSync(dir))
    for (const p of [...siblings(dir, 'old'), ...siblings(dir, 'tmp')]) rmSync(p, { recursive: true, force: true });
}

/**
 * Saves a checkpoint folder in Hugging Face layout (config.json with an "mts" key, model.safetensors,
 * tokenizer files). Written into a temp sibling, fsynced, then renamed into place; an existing checkpoint
 * is set aside only once the new one is complete, and removed after the swap.
 */
export function saveCheckpoint(dir: string, input: CheckpointInput): void {
  validateInput(dir, input);
  mkdirSync(dirname(dir), { recursive: true });
  recoverCheckpoint(dir);
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${tag}`);
  mkdirSync(tmp);
  try {
    const raw: Record<string, unknown> = { ...input.config.raw };
    delete raw.mts; // replaced by this save's meta
    writeDurable(join(tmp, 'config.json'), JSON.stringify({ ...raw, mts: input.meta }, null, 2));
    const tensors: F32Tensor[] = [...input.params].map(([name, t]) => ({
      name: CHECKPOINT_HEAD_NAMES[name] ?? name,
      shape: t.shape,
      data: t.data,
    }));
    writeSafetensors(join(tmp, 'model.safetensors'), tensors, { format: 'pt', producer: 'multitask-studio' });
    for (const f of TOKENIZER_FILES) {
      const src = join(input.tokenizerDir, f);
      if (existsSync(src)) writeDurable(join(tmp, f), readFileSync(src));
    }
    fsyncDir(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(dir)) {
    const old = join(dirname(dir), `.${basename(dir)}.old-${tag}`);
    renameSync(dir, old);
    renameSync(tmp, dir);
    fsyncDir(dirname(dir));
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
    fsyncDir(dirname(dir));
  }
}

/**
 * A checkpoint folder's config.json and its "mts" meta (labels, pooling, max length), without the weights:
 * what a caller needs to decide whether a checkpoint can serve a job before loading it.
 */
export function readCheckpointMeta(dir: string): { readonly raw: Record<string, unknown>; readonly meta: MtsMeta } {
  recoverCheckpoint(dir);
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new CheckpointError(dir, 'has no config.json; is this a checkpoint folder?');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(dir, `config.json is not valid JSON (${(err as Error).message})`);
  }
  const meta = mtsMetaSchema.safeParse(raw.mts);
  if (!meta.success) {
    throw new CheckpointError(
      dir,
      `config.json "mts" field "${meta.error.issues[0].path.join('.')}": ${meta.error.issues[0].message}; it was not saved by this app (load it as a base model instead)`,
    );
  }
  return { raw, meta: meta.data };
}

/** Loads a checkpoint written by saveCheckpoint (recovering an interrupted save first). */
export function loadCheckpoint(dir: string): Checkpoint {
  const { raw, meta } = readCheckpointMeta(dir);
  const cfgPath = join(dir, 'config.json');
  const config = parseHfBertConfig(raw, cfgPath);
  const file = readSafetensors(join(dir, 'model.safetensors'));
  const params = new Map<string, ParamTensor>();
  for (const [name, info] of resolveBertWeights(config.dims, file))
    params.set(name, { data: file.float32(info.name), shape: info.shape });
  for (const spec of headSpecs(meta, config.dims.hiddenSize)) {
    const stored = CHECKPOINT_HEAD_NAMES[spec.name];
    if (!file.tensors.has(stored))
      throw new HfModelError(file.source, `missing head tensor ${stored} declared by config.json "mts".heads`);
    params.set(spec.name, { data: file.float32(stored), shape: file.info(stored).shape });
  }
  try {
    checkStore(params, headSpecs(meta, config.dims.hiddenSize));
  } catch (err) {
    throw new CheckpointError(
      dir,
      `${(err as Error).message} (config.json "mts".heads and model.safetensors disagree)`,
    );
  }
  return { dir, config, meta, params };
}
