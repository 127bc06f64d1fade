// The pre-start summary of a training request: what would train, on how much data, and why it may not start.
import { bioLabelList } from '../../data/align';
import {
  partitionParams,
  type ParamPartition,
  FreezePresetError,
  loadHfBertConfig,
  type HfBertConfig,
} from '../../engine/model';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import type { Db } from '../../store/db';
import { getProject } from '../../store/repos/projects';
import { getDataset } from '../../store/repos/datasets';
import { ServiceError } from '../api/errors';
import { resolveLocalModel } from '../models';
import { classLabelSet, PipelineInputError } from '../pipeline/read';
import { activeRunId } from './active';
import { countByClass, countByType, entityTypes, readTrainingData, type TrainingData } from './data';
import type { TrainingRequest } from './schemas';

/** Per-split counts the Train screen shows before a run. */
export interface PlanCounts {
  readonly train: number;
  readonly dev: number;
  readonly trainByClass: Readonly<Record<string, number>>;
  readonly devByClass: Readonly<Record<string, number>>;
  /** Spans per entity type (gold + silver, not rejected). */
  readonly trainByType: Readonly<Record<string, number>>;
  readonly devByType: Readonly<Record<string, number>>;
}

/** Parameter counts and which groups (embeddings, layer N, heads) train or stay fixed. */
export interface PlanParams {
  readonly trainable: number;
  readonly frozen: number;
  readonly trainableGroups: readonly string[];
  readonly frozenGroups: readonly string[];
}

/** Examples per optimizer step: `accumulation` micro-batches of `size`, whose gradients are averaged. */
export interface PlanBatch {
  readonly size: number;
  readonly accumulation: number;
  /** size x accumulation: the batch the optimizer sees; memory is that of one micro-batch. */
  readonly effective: number;
  /** "32 x 2 = 64 examples per step" (or "32 examples per step" without accumulation). */
  readonly text: string;
}

/** What trainingPlan returns; `refusals` empty means startTraining would start. */
export interface TrainingPlan {
  readonly request: TrainingRequest;
  readonly model: {
    readonly dir: string;
    readonly layers: number;
    readonly hidden: number;
    readonly maxPositions: number;
  } | null;
  readonly tasks: { readonly classification: boolean; readonly ner: boolean };
  readonly classLabels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly params: PlanParams | null;
  readonly counts: PlanCounts;
  readonly batch: PlanBatch;
  /** Reasons the run cannot start, each saying how to fix it. */
  readonly refusals: readonly string[];
  /** Things worth knowing that do not block the run. */
  readonly warnings: readonly string[];
}

/** A plan plus what startTraining needs next (the data read once). */
export interface PlanWithData {
  readonly plan: TrainingPlan;
  readonly data: TrainingData;
  readonly nerTags: readonly string[];
}

/** The Train screen's summary: trainable parameters, frozen groups, counts per class and type, refusals. */
export function trainingPlan(db: Db, request: TrainingRequest): TrainingPlan {
  return buildPlan(db, request).plan;
}

/** Builds the plan for a parsed request; throws only for missing project/dataset (not_found). */
export function buildPlan(db: Db, request: TrainingRequest): PlanWithData {
  getProject(db, request.projectId);
  const dataset = getDataset(db, request.datasetId);
  if (dataset.projectId !== request.projectId) {
    throw new ServiceError(
      'invalid_input',
      `Dataset ${request.datasetId} belongs to project ${dataset.projectId}, not ${request.projectId}; pick one of this project's datasets.`,
    );
  }
  const refusals: string[] = [];
  const warnings: string[] = [];
  const busy = activeRunId();
  if (busy !== null)
    refusals.push(
      `Run ${busy} is still training in this app; only one training runs at a time. Wait for it or cancel it first.`,
    );
  const data = readTrainingData(db, request.datasetId);
  const labels = classTask(data, request, refusals);
  const types = request.taskWeights.ner > 0 && data.hasNer ? entityTypes(data.train) : [];
  const nerTags = types.length > 0 ? bioLabelList(types) : [];
  const tasks = { classification: labels.length > 0, ner: nerTags.length > 0 };
  checkLabelled(data, request, tasks, refusals);
  checkNer(data, types, warnings);
  const modelDir = localModelDir(request.modelDir, refusals);
  const model = modelDir === null ? null : loadModelConfig(modelDir, refusals);
  let params: PlanParams | null = null;
  if (model) {
    if (request.maxLength > model.dims.maxPositions) {
      refusals.push(
        `maxLength ${request.maxLength} exceeds the model's ${model.dims.maxPositions} positions; use at most ${model.dims.maxPositions}.`,
      );
    }
    params = freezePlan(model, labels.length, nerTags.length, request, refusals);
  }
  const counts: PlanCounts = {
    train: data.train.length,
    dev: data.dev.length,
    trainByClass: countByClass(data.train),
    devByClass: countByClass(data.dev),
    trainByType: countByType(data.train),
    devByType: countByType(data.dev),
  };
  const batch = planBatch(request);
  if (data.train.length > 0 && batch.effective > data.train.length)
    warnings.push(
      `The effective batch (${batch.text}) is larger than the ${data.train.length} train examples: each epoch is one optimizer step; lower the batch size or the gradient accumulation.`,
    );
  const plan: TrainingPlan = {
    request,
    model:
      model && modelDir !== null
        ? {
            dir: modelDir,
            layers: model.dims.numLayers,
            hidden: model.dims.hiddenSize,
            maxPositions: model.dims.maxPositions,
          }
        : null,
    tasks,
    classLabels: labels,
    entityTypes: types,
    params,
    counts,
    batch,
    refusals,
    warnings,
  };
  return { plan, data, nerTags };
}

// Class labels of the train split, or [] when classification is off; problems become refusals.
function classTask(data: TrainingData, request: TrainingRequest, refusals: string[]): string[] {
  const labelled = data.train.some((e) => e.label !== undefined);
  if (request.taskWeights.classification === 0 || !labelled) return [];
  let labels: string[];
  try {
    labels = classLabelSet(data.train, data.dev, 'the train split', 'the dev split');
  } catch (err) {
    if (!(err instanceof PipelineInputError)) throw err;
    refusals.push(err.message);
    return [];
  }
  const dev = countByClass(data.dev);
  const missing = labels.filter((l) => !dev[l]);
  if (missing.length > 0) {
    refusals.push(
      `Class(es) ${missing.map((l) => `"${l}"`).join(', ')} have no dev examples, so their accuracy cannot be measured; ` +
        'resplit the dataset (stratified) or move some of their examples to dev.',
    );
  }
  return labels;
}

function checkLabelled(
  data: TrainingData,
  request: TrainingRequest,
  tasks: { classification: boolean; ner: boolean },
  refusals: string[],
): void {
  if (data.train.length === 0) {
    refusals.push(`Dataset ${request.datasetId} has no train examples; resplit it so that some examples are in train.`);
    return;
  }
  if (data.dev.length === 0)
    refusals.push(`Dataset ${request.datasetId} has no dev examples to evaluate on; resplit it with a dev share.`);
  if (tasks.classification || tasks.ner) return;
  const off = [
    request.taskWeights.classification === 0 && 'classification',
    request.taskWeights.ner === 0 && 'NER',
  ].filter(Boolean);
  refusals.push(
    off.length > 0
      ? `Nothing to learn: ${off.join(' and ')} weight is 0 and the other task has no labelled train examples; raise the weight or label examples.`
      : `None of the ${data.train.length} train examples has a class label or an entity span; label some, or run the silver labeler first.`,
  );
}

function checkNer(data: TrainingData, types: readonly string[], warnings: string[]): void {
  if (types.length === 0) return;
  const dev = countByType(data.dev);
  const missing = types.filter((t) => !dev[t]);
  if (missing.length === types.length)
    warnings.push(
      'The dev split has no entity spans: entity F1 will be 0; run the silver labeler on the whole dataset.',
    );
  else if (missing.length > 0)
    warnings.push(`Entity type(s) ${missing.join(', ')} never occur in dev; their F1 cannot be measured.`);
}

// A hub repo id becomes its snapshot in the cache; one not downloaded yet is a refusal that says how to get it.
function localModelDir(model: string, refusals: string[]): string | null {
  try {
    return resolveLocalModel(model).dir;
  } catch (err) {
    refusals.push((err as Error).message);
    return null;
  }
}

function loadModelConfig(dir: string, refusals: string[]): HfBertConfig | null {
  try {
    const config = loadHfBertConfig(dir);
    WordPieceTokenizer.fromDir(dir);
    return config;
  } catch (err) {
    refusals.push(`Model folder ${dir} cannot be used: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

function freezePlan(
  model: HfBertConfig,
  numClasses: number,
  numNerLabels: number,
  request: TrainingRequest,
  refusals: string[],
): PlanParams | null {
  let partition: ParamPartition;
  try {
    partition = partitionParams(
      model.dims,
      { numClasses, numNerLabels },
      {
        preset: request.preset,
        freezeEmbeddings: request.freezeEmbeddings,
        freezeBottomLayers: request.freezeBottomLayers,
      },
    );
  } catch (err) {
    if (!(err instanceof FreezePresetError)) throw err;
    refusals.push(err.message);
    return null;
  }
  const groups = (names: readonly { name: string }[]): string[] => [...new Set(names.map((p) => groupOf(p.name)))];
  const trainableGroups = groups(partition.trainable);
  // A group is listed as frozen only when none of its tensors trains.
  const frozenGroups = groups(partition.frozen).filter((g) => !trainableGroups.includes(g));
  return { trainable: partition.trainableCount, frozen: partition.frozenCount, trainableGroups, frozenGroups };
}

/** The group a parameter belongs to, for display: embeddings, layer N, classification head, ner head. */
export function groupOf(name: string): string {
  if (name.startsWith('embeddings.')) return 'embeddings';
  const layer = /^encoder\.layer\.(\d+)\./.exec(name);
  if (layer) return `layer ${layer[1]}`;
  const head = /^heads\.([a-z]+)\./.exec(name);
  if (head) return `${head[1]} head`;
  return name;
}

/** The batch a request trains with, as numbers and as one phrase. */
export function planBatch(request: Pick<TrainingRequest, 'batchSize' | 'gradAccumulation'>): PlanBatch {
  const size = request.batchSize;
  const accumulation = request.gradAccumulation;
  const effective = size * accumulation;
  const text =
    accumulation > 1 ? `${size} x ${accumulation} = ${effective} examples per step` : `${size} examples per step`;
  return { size, accumulation, effective, text };
}
