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
import {
  autoSelectMetric,
  effectiveEmbeddingUpdates,
  resolveSelectMetric,
  type SelectMetric,
} from '../../engine/trainer';
import type { Db } from '../../store/db';
import { getProject } from '../../store/repos/projects';
import { getDataset } from '../../store/repos/datasets';
import { ServiceError } from '../api/errors';
import { resolveLocalModel } from '../models';
import { classLabelSet, PipelineInputError } from '../pipeline/read';
import { activeRunId } from './active';
import {
  countByClass,
  countByType,
  entityTypes,
  readTaskData,
  trainingExamples,
  type ExampleGroup,
  type TaskTrainingData,
} from './data';
import { featureCachePlan } from './feature-cache-plan';
import { describeSource, sameSource, sourceDatasetIds, taskSources, type TaskSources } from './sources';
import { resolveRecipe, type ResolvedRecipe } from './recipe';
import type { ResolvedTrainingRequest, TrainingRequest } from './schemas';

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

/** One source as the plan shows it: the dataset by name, the split read (null = every example) and its size. */
export interface PlanSource {
  readonly datasetId: number;
  readonly datasetName: string;
  readonly split: 'train' | 'dev' | 'test' | null;
  readonly examples: number;
}

export interface PlanSources {
  readonly classification: { readonly train: PlanSource; readonly dev: PlanSource };
  readonly ner: { readonly train: PlanSource; readonly dev: PlanSource };
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
  /** The request with the preset's recipe filled in where it left the learning rate or epochs out. */
  readonly request: ResolvedTrainingRequest;
  readonly model: {
    readonly dir: string;
    readonly layers: number;
    readonly hidden: number;
    readonly maxPositions: number;
  } | null;
  readonly tasks: { readonly classification: boolean; readonly ner: boolean };
  /** Which data each task trains and evaluates on (also for a task that is off, to say where it would read). */
  readonly sources: PlanSources;
  readonly classLabels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly params: PlanParams | null;
  readonly counts: PlanCounts;
  readonly batch: PlanBatch;
  /** The preset's recipe as applied to this data: learning rate, epochs, optimizer steps. */
  readonly recipe: ResolvedRecipe;
  /** The frozen encoder's feature cache: estimated disk bytes, or null when the run would not cache. */
  readonly featureCache: { readonly bytes: number } | null;
  /** The dev metric that will pick the best checkpoint (`auto` resolved); null when the choice is refused. */
  readonly selectMetric: SelectMetric | null;
  /** What `auto` means for the heads this run trains (labels the auto choice, whatever is chosen). */
  readonly autoSelectMetric: SelectMetric;
  /** Reasons the run cannot start, each saying how to fix it. */
  readonly refusals: readonly string[];
  /** Things worth knowing that do not block the run. */
  readonly warnings: readonly string[];
}

/** A plan plus what startTraining needs next (the data read once). */
export interface PlanWithData {
  readonly plan: TrainingPlan;
  readonly data: TaskTrainingData;
  readonly sources: TaskSources;
  readonly nerTags: readonly string[];
}

/** The Train screen's summary: trainable parameters, frozen groups, counts per class and type, refusals. */
export function trainingPlan(db: Db, request: TrainingRequest): TrainingPlan {
  return buildPlan(db, request).plan;
}

/** Builds the plan for a parsed request; throws only for missing project/dataset (not_found). */
export function buildPlan(db: Db, request: TrainingRequest): PlanWithData {
  const project = getProject(db, request.projectId);
  const sources = taskSources(request);
  for (const id of sourceDatasetIds(sources)) {
    const dataset = getDataset(db, id);
    if (dataset.projectId !== request.projectId) {
      throw new ServiceError(
        'invalid_input',
        `Dataset "${dataset.name}" belongs to another project, not "${project.name}"; pick one of this project's datasets.`,
      );
    }
  }
  const refusals: string[] = [];
  const warnings: string[] = [];
  const busy = activeRunId();
  if (busy !== null)
    refusals.push(
      `Run ${busy} is still training in this app; only one training runs at a time. Wait for it or cancel it first.`,
    );
  const data = readTaskData(db, sources);
  const labels = classTask(data.classification, request, refusals);
  const types = request.taskWeights.ner > 0 && data.hasNer ? entityTypes(data.ner.train) : [];
  const nerTags = types.length > 0 ? bioLabelList(types) : [];
  const tasks = { classification: labels.length > 0, ner: nerTags.length > 0 };
  checkSources(db, sources, data, request, tasks, refusals);
  checkNer(data.ner, types, warnings);
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
  const selection = resolveSelectMetric(request.selectMetric, tasks);
  if (!selection.ok && (tasks.classification || tasks.ner)) refusals.push(selection.message);
  const examples = trainingExamples(sources, data, tasks);
  const size = (groups: readonly ExampleGroup[]): number => groups.reduce((n, g) => n + g.examples.length, 0);
  const counts: PlanCounts = {
    train: size(examples.train),
    dev: size(examples.dev),
    trainByClass: tasks.classification ? countByClass(data.classification.train) : {},
    devByClass: tasks.classification ? countByClass(data.classification.dev) : {},
    trainByType: tasks.ner ? countByType(data.ner.train) : {},
    devByType: tasks.ner ? countByType(data.ner.dev) : {},
  };
  const batch = planBatch(request);
  if (counts.train > 0 && batch.effective > counts.train)
    warnings.push(
      `The effective batch (${batch.text}) is larger than the ${counts.train} train examples: each epoch is one optimizer step; lower the batch size or the gradient accumulation.`,
    );
  const recipe = resolveRecipe(request, {
    groups: taskGroups(examples.train),
    batchSize: request.batchSize,
    gradAccumulation: request.gradAccumulation,
  });
  if (recipe.warning !== null && (tasks.classification || tasks.ner)) warnings.push(recipe.warning);
  const planModel =
    model && modelDir !== null
      ? {
          dir: modelDir,
          layers: model.dims.numLayers,
          hidden: model.dims.hiddenSize,
          maxPositions: model.dims.maxPositions,
        }
      : null;
  const plan: TrainingPlan = {
    // What the run will do: lazy embedding updates need one batch per step (the trainer goes dense otherwise).
    request: {
      ...request,
      lr: recipe.lr,
      epochs: recipe.epochs,
      embeddingUpdates: effectiveEmbeddingUpdates(request.embeddingUpdates, request.gradAccumulation),
    },
    model: planModel,
    tasks,
    sources: planSources(db, sources, data),
    classLabels: labels,
    entityTypes: types,
    params,
    counts,
    batch,
    recipe,
    featureCache: featureCachePlan(request, planModel, params, examples),
    selectMetric: selection.ok ? selection.metric : null,
    autoSelectMetric: autoSelectMetric(tasks),
    refusals,
    warnings,
  };
  return { plan, data, sources, nerTags };
}

// Train examples per batching group, as the trainer forms them: those with a class label (which may carry
// spans too), and NER-only ones.
function taskGroups(groups: readonly ExampleGroup[]): number[] {
  let labelled = 0;
  let nerOnly = 0;
  for (const g of groups) {
    if (g.classification) labelled += g.examples.filter((e) => e.label !== undefined).length;
    if (g.ner) nerOnly += g.examples.filter((e) => !g.classification || e.label === undefined).length;
  }
  return [labelled, nerOnly];
}

// Class labels of the train split, or [] when classification is off; problems become refusals.
function classTask(data: TaskTrainingData['classification'], request: TrainingRequest, refusals: string[]): string[] {
  const labelled = data.train.some((e) => e.label !== undefined);
  if (request.taskWeights.classification === 0 || !labelled) return [];
  let labels: string[];
  try {
    labels = classLabelSet(data.train, data.dev, 'the classification train data', 'its dev data');
  } catch (err) {
    if (!(err instanceof PipelineInputError)) throw err;
    refusals.push(err.message);
    return [];
  }
  const dev = countByClass(data.dev);
  const train = countByClass(data.train);
  const missing = labels.filter((l) => !dev[l]);
  if (missing.length > 0) {
    refusals.push(
      `Class(es) ${missing.map((l) => `"${l}" (train ${train[l] ?? 0}, dev 0)`).join(', ')} have no dev examples, so their accuracy cannot be measured; ` +
        'on the Datasets screen, re-split the dataset or move some of their examples to dev, or choose a dev dataset that has them.',
    );
  }
  return labels;
}

// Empty train or dev data and nothing to learn are refusals, each naming the dataset and split it read.
function checkSources(
  db: Db,
  sources: TaskSources,
  data: TaskTrainingData,
  request: TrainingRequest,
  tasks: { classification: boolean; ner: boolean },
  refusals: string[],
): void {
  const main = data.classification;
  const nerApart = !sameSource(sources.ner.train, sources.classification.train);
  if (main.train.length === 0 && (!nerApart || data.ner.train.length === 0)) {
    refusals.push(
      `${describeSource(db, sources.classification.train)} has no examples; re-split the dataset on the Datasets screen so that some examples are in train.`,
    );
    return;
  }
  const devOf = (task: 'classification' | 'ner'): void => {
    if (data[task].dev.length > 0) return;
    refusals.push(
      `${describeSource(db, sources[task].dev)} has no examples to evaluate ${task === 'ner' ? 'entities' : 'classes'} on; re-split it with a dev share, or choose a dev dataset.`,
    );
  };
  if (tasks.classification || !tasks.ner) devOf('classification');
  if (tasks.ner && !sameSource(sources.ner.dev, sources.classification.dev)) devOf('ner');
  if (nerApart && request.taskWeights.ner > 0 && !data.hasNer) {
    refusals.push(
      `${describeSource(db, sources.ner.train)}, chosen for entities, has no entity spans; label it on the Annotate screen or choose a dataset with spans.`,
    );
  }
  if (tasks.classification || tasks.ner) return;
  const off = [
    request.taskWeights.classification === 0 && 'classification',
    request.taskWeights.ner === 0 && 'NER',
  ].filter(Boolean);
  refusals.push(
    off.length > 0
      ? `Nothing to learn: ${off.join(' and ')} weight is 0 and the other task has no labelled train examples; raise the weight or label examples.`
      : `None of the ${main.train.length} train examples has a class label or an entity span; label some, or run the silver labeler first.`,
  );
}

function checkNer(data: TaskTrainingData['ner'], types: readonly string[], warnings: string[]): void {
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

/** The plan's view of the sources: dataset names, splits and example counts. */
function planSources(db: Db, sources: TaskSources, data: TaskTrainingData): PlanSources {
  const one = (src: TaskSources['ner']['train'], examples: number): PlanSource => ({
    datasetId: src.datasetId,
    datasetName: getDataset(db, src.datasetId).name,
    split: src.split,
    examples,
  });
  return {
    classification: {
      train: one(sources.classification.train, data.classification.train.length),
      dev: one(sources.classification.dev, data.classification.dev.length),
    },
    ner: {
      train: one(sources.ner.train, data.ner.train.length),
      dev: one(sources.ner.dev, data.ner.dev.length),
    },
  };
}
