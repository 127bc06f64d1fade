import { z } from 'zod';
import type { BertDims } from './dims';
import { FreezePresetError } from './errors';
import type { ParamSpec } from './param-names';
import { embeddingParamSpecs, encoderParamSpecs, HEAD_NAMES, headParamSpecs, layerParamSpecs } from './param-names';
import { countParams } from './param-store';

export const FREEZE_PRESETS = ['full', 'heads-only', 'freeze-classifier', 'freeze-ner', 'frozen'] as const;
/** Which parameter groups train: see `partitionParams`. */
export type FreezePreset = (typeof FREEZE_PRESETS)[number];

export const freezeConfigSchema = z.object({
  preset: z.enum(FREEZE_PRESETS),
  /** Keep the embedding tables and their LayerNorm fixed (e.g. DirectML, which cannot scatter-add). */
  freezeEmbeddings: z.boolean().default(false),
  /** Keep encoder layers 0..K-1 fixed. */
  freezeBottomLayers: z.number().int().min(0).default(0),
});
export type FreezeConfig = z.input<typeof freezeConfigSchema>;

/** Label counts per task; 0 means the model has no head for that task. */
export interface TaskSizes {
  readonly numClasses: number;
  readonly numNerLabels: number;
}

export interface ParamPartition {
  readonly trainable: readonly ParamSpec[];
  readonly frozen: readonly ParamSpec[];
  readonly trainableCount: number;
  readonly frozenCount: number;
}

/**
 * Splits the model's parameters into trainable and frozen ones. Frozen parameters still feed the graph
 * but get no gradient. Throws FreezePresetError for `frozen`, a bottom-K past the layer count, or any
 * combination that leaves nothing to train.
 */
export function partitionParams(dims: BertDims, tasks: TaskSizes, config: FreezeConfig): ParamPartition {
  const c = freezeConfigSchema.parse(config);
  if (c.preset === 'frozen') {
    throw new FreezePresetError(
      "freeze preset 'frozen' trains nothing; choose 'heads-only' to train just the heads, or 'full' to fine-tune everything.",
    );
  }
  if (c.freezeBottomLayers > dims.numLayers) {
    throw new FreezePresetError(
      `freezeBottomLayers is ${c.freezeBottomLayers} but the encoder has ${dims.numLayers} layers; use 0..${dims.numLayers}.`,
    );
  }
  const frozenNames = new Set<string>();
  const freeze = (specs: readonly ParamSpec[]): void => specs.forEach((s) => frozenNames.add(s.name));
  if (c.preset === 'heads-only') freeze(encoderParamSpecs(dims));
  if (c.freezeEmbeddings) freeze(embeddingParamSpecs(dims));
  for (let l = 0; l < c.freezeBottomLayers; l++) freeze(layerParamSpecs(dims, l));
  const heads = headParamSpecs(dims.hiddenSize, tasks.numClasses, tasks.numNerLabels);
  if (c.preset === 'freeze-classifier') freeze(heads.filter((s) => isHeadOf(s, 'classification')));
  if (c.preset === 'freeze-ner') freeze(heads.filter((s) => isHeadOf(s, 'ner')));

  const all = [...encoderParamSpecs(dims), ...heads];
  const trainable = all.filter((s) => !frozenNames.has(s.name));
  const frozen = all.filter((s) => frozenNames.has(s.name));
  if (trainable.length === 0) {
    throw new FreezePresetError(
      `preset '${c.preset}' with freezeEmbeddings=${c.freezeEmbeddings} and freezeBottomLayers=${c.freezeBottomLayers} leaves no parameter to train; unfreeze a head or some layers.`,
    );
  }
  return { trainable, frozen, trainableCount: countParams(trainable), frozenCount: countParams(frozen) };
}

function isHeadOf(spec: ParamSpec, task: 'classification' | 'ner'): boolean {
  const names = HEAD_NAMES[task];
  return spec.name === names.weight || spec.name === names.bias;
}

/**
 * Moves the named parameters to the frozen side (e.g. the head of a task whose loss weight is 0, which
 * would get no gradient). Throws FreezePresetError when nothing is left to train.
 */
export function freezeMore(partition: ParamPartition, names: ReadonlySet<string>, why: string): ParamPartition {
  const trainable = partition.trainable.filter((s) => !names.has(s.name));
  const moved = partition.trainable.filter((s) => names.has(s.name));
  if (trainable.length === 0) {
    throw new FreezePresetError(
      `nothing left to train once ${why}; unfreeze other parameters or give the task a weight > 0.`,
    );
  }
  const frozen = [...partition.frozen, ...moved];
  return { trainable, frozen, trainableCount: countParams(trainable), frozenCount: countParams(frozen) };
}
