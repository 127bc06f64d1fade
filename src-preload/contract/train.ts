// Train screen: the pre-start plan, starting, cancelling and resuming a training, and its live progress events.
// The shapes mirror the engine's TrainEvent and the train service's results.
import type { DatasetId, NoInput, ProjectId, RunId, RunRef } from './core';
import type { EvalInfo, RunInfo, RunStatus, StepLossesInfo } from './runs';
import type { ExecutionProviderName } from './system';

export type FreezePresetName = 'full' | 'heads-only' | 'freeze-classifier' | 'freeze-ner' | 'frozen';
export type TrainDevice = 'auto' | ExecutionProviderName;

/** What a person chooses on the Train screen; omitted fields take the reference recipe's defaults. */
export interface TrainRequest {
  readonly projectId: ProjectId;
  /** Classification trains on this dataset's train split (and NER too, unless nerDatasetId names another). */
  readonly datasetId: DatasetId;
  /** NER from this dataset's train split instead (its spans only), as the CLI's --ner-train. */
  readonly nerDatasetId?: DatasetId;
  /** Evaluate classification on every example of this dataset instead of datasetId's dev split. */
  readonly devDatasetId?: DatasetId;
  /** Evaluate NER on every example of this dataset (default: the NER dataset's dev split, or devDatasetId). */
  readonly nerDevDatasetId?: DatasetId;
  /** Hugging Face BERT folder on the machine running the backend, or an earlier run's checkpoint. */
  readonly modelDir: string;
  readonly name?: string;
  readonly preset?: FreezePresetName;
  readonly freezeEmbeddings?: boolean;
  readonly freezeBottomLayers?: number;
  readonly lr?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Micro-batches per optimizer step (1..64): effective batch batchSize x gradAccumulation, memory of one. */
  readonly gradAccumulation?: number;
  /** Word-embedding updates: lazy (the batch's rows only; the default) or dense (every row, as PyTorch). */
  readonly embeddingUpdates?: 'lazy' | 'dense';
  readonly maxLength?: number;
  /** Loss weight per task; 0 leaves that task out. */
  readonly taskWeights?: { readonly classification: number; readonly ner: number };
  /** 'fixed' (taskWeights as given) or 'uncertainty' (weights learned during training, Kendall et al. 2018). */
  readonly taskWeighting?: 'fixed' | 'uncertainty';
  /** Pending silver spans below this confidence (0..1) are ignored in the NER loss; 0 = all count. */
  readonly silverMinConfidence?: number;
  readonly device?: TrainDevice;
  /** With a frozen encoder (heads-only): compute its features once and train the heads on them (default auto). */
  readonly featureCache?: 'auto' | 'on' | 'off';
  readonly seed?: number;
  /** Stop after this many optimizer steps (0 = all epochs). */
  readonly maxSteps?: number;
  /** Evaluate every N steps as well as at each epoch end (0 = epochs only). */
  readonly evalEverySteps?: number;
  /** The dev metric that picks the best checkpoint; auto: the mean of both heads' when both train. */
  readonly selectMetric?: 'auto' | SelectMetricName;
  readonly threads?: number;
  /** Seconds between mid-epoch resume points (default 300; 0 = only at epoch ends): what a crash can lose. */
  readonly checkpointEverySec?: number;
}

/** Which dev metric keeps the best checkpoint: `tasks.mean` is the mean of accuracy and entity F1. */
export type SelectMetricName = 'classification.accuracy' | 'classification.macroF1' | 'ner.f1' | 'tasks.mean';

/** A request with every default filled in (what the run will use). */
export type TrainSettings = Required<Omit<TrainRequest, 'name' | 'threads' | TrainSourceField>> &
  Pick<TrainRequest, 'name' | 'threads' | TrainSourceField>;

/** The optional per-task data sources of a request (absent: the main dataset's own splits). */
export type TrainSourceField = 'nerDatasetId' | 'devDatasetId' | 'nerDevDatasetId';

/** One source as the plan shows it: the dataset by name, the split read (null = every example) and its size. */
export interface TrainSourceInfo {
  readonly datasetId: DatasetId;
  readonly datasetName: string;
  readonly split: 'train' | 'dev' | 'test' | null;
  readonly examples: number;
}

/** The learning rate and epochs a run uses and where they come from (the preset's recipe, or typed). */
export interface TrainRecipeInfo {
  readonly preset: FreezePresetName;
  readonly lr: number;
  readonly epochs: number;
  /** True when the request left it out and the preset's recipe chose it. */
  readonly lrFromPreset: boolean;
  readonly epochsFromPreset: boolean;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** The preset's own values: learning rate, the steps its default epochs aim for, the fewest that learn. */
  readonly recipe: {
    readonly lr: number;
    readonly steps: number;
    readonly minSteps: number;
    readonly why: string;
  };
  /** Set when the run has too few optimizer steps to learn, with what to change (also in `warnings`). */
  readonly warning: string | null;
}

/** The pre-start summary: what trains, on how much data, and why the run may not start. */
export interface TrainPlanInfo {
  readonly settings: TrainSettings;
  readonly model: {
    readonly dir: string;
    readonly layers: number;
    readonly hidden: number;
    readonly maxPositions: number;
  } | null;
  readonly tasks: { readonly classification: boolean; readonly ner: boolean };
  /** Which data each task trains and evaluates on (shown also for a task that is off). */
  readonly sources: {
    readonly classification: { readonly train: TrainSourceInfo; readonly dev: TrainSourceInfo };
    readonly ner: { readonly train: TrainSourceInfo; readonly dev: TrainSourceInfo };
  };
  readonly classLabels: readonly string[];
  readonly entityTypes: readonly string[];
  /** null when the model folder or the preset cannot be used (see refusals). */
  readonly params: {
    readonly trainable: number;
    readonly frozen: number;
    readonly trainableGroups: readonly string[];
    readonly frozenGroups: readonly string[];
  } | null;
  readonly counts: {
    readonly train: number;
    readonly dev: number;
    readonly trainByClass: Readonly<Record<string, number>>;
    readonly devByClass: Readonly<Record<string, number>>;
    readonly trainByType: Readonly<Record<string, number>>;
    readonly devByType: Readonly<Record<string, number>>;
  };
  /** Examples per optimizer step: `accumulation` micro-batches of `size`; `text` e.g. "32 x 2 = 64 examples per step". */
  readonly batch: {
    readonly size: number;
    readonly accumulation: number;
    readonly effective: number;
    readonly text: string;
  };
  /** The preset's recipe as applied to this data (the learning rate and epochs a request leaves out). */
  readonly recipe: TrainRecipeInfo;
  /**
   * The frozen encoder's feature cache: its estimated size on disk (from a sample of the texts, tokenised), or
   * null when this run would not cache (featureCache off, or the preset trains the encoder).
   */
  readonly featureCache: { readonly bytes: number } | null;
  /** The metric that will keep the best checkpoint (auto resolved for the tasks); null when refused. */
  readonly selectMetric: SelectMetricName | null;
  /** What `auto` means for the heads this run trains. */
  readonly autoSelectMetric: SelectMetricName;
  /** Each says how to fix it; empty means `train.start` would start. */
  readonly refusals: readonly string[];
  readonly warnings: readonly string[];
}

/** Live progress of a training (the engine's TrainEvent). */
export type TrainProgress =
  | {
      readonly type: 'started';
      readonly device: {
        readonly requested: string;
        readonly used: string;
        readonly notUsed: readonly { readonly device: string; readonly reason: string }[];
        /** 'auto' with a GPU to compare: each device's measured training rate on this run's shape. */
        readonly measured?: readonly {
          readonly device: string;
          readonly samplesPerSec: number;
          readonly cached: boolean;
        }[];
        /** What the run changes for this device (DirectML: the word embeddings stay frozen); may be absent. */
        readonly notes?: readonly string[];
      };
      readonly trainExamples: number;
      readonly devExamples: number;
      readonly trainableParams: number;
      readonly totalSteps: number;
      readonly resumedFromStep: number;
    }
  | {
      readonly type: 'step';
      readonly step: number;
      readonly totalSteps: number;
      readonly epoch: number;
      readonly losses: StepLossesInfo;
      readonly lr: number;
      readonly gradNorm: number;
      readonly samplesPerSec: number;
      readonly etaSec: number;
    }
  | {
      readonly type: 'eval';
      readonly step: number;
      readonly epoch: number;
      readonly metrics: EvalInfo;
      readonly isBest: boolean;
    }
  | { readonly type: 'checkpoint'; readonly step: number; readonly path: string; readonly best: boolean }
  | {
      readonly type: 'finished';
      readonly status: 'completed' | 'cancelled' | 'early-stopped';
      readonly steps: number;
      readonly seconds: number;
      readonly best: { readonly metric: string; readonly value: number | null; readonly step: number };
    }
  | { readonly type: 'error'; readonly message: string }
  /** What the run decided that the user should read (the frozen encoder's feature cache: built, reused, not used). */
  | { readonly type: 'message'; readonly level: 'info' | 'warning'; readonly message: string };

/**
 * `train.progress`: one training event (step events are thinned to a few per second; every other kind is
 * sent). `train.status`: the run's status changed.
 */
export type TrainApiEvent =
  | { readonly type: 'train.progress'; readonly runId: RunId; readonly progress: TrainProgress }
  | {
      readonly type: 'train.status';
      readonly runId: RunId;
      readonly status: RunStatus;
      readonly error?: string;
    };

export interface TrainMethods {
  /** The pre-start summary; never starts anything. */
  'train.plan': { readonly input: TrainRequest; readonly output: TrainPlanInfo };
  /** Starts a training (refused with the plan's reasons); follow it through `train.*` events. */
  'train.start': {
    readonly input: TrainRequest;
    readonly output: { readonly run: RunInfo; readonly plan: TrainPlanInfo; readonly truncated: number };
  };
  /** Stops the running training within one step; it ends 'cancelled' and keeps its best checkpoint. */
  'train.cancel': { readonly input: RunRef; readonly output: { readonly runId: RunId } };
  /**
   * Continues a cancelled, failed or interrupted run from its last saved state with its stored settings; it
   * ends as the uninterrupted run would have. Refused for a completed run, one training now, a missing run
   * folder or resume state, and a dataset edited since the run started. Follow it through `train.*` events
   * (its `started` progress carries `resumedFromStep`).
   */
  'train.resume': {
    readonly input: RunRef;
    readonly output: { readonly run: RunInfo; readonly plan: TrainPlanInfo; readonly truncated: number };
  };
  /** The run training in this app now, if any (lets a reopened Train screen follow it). */
  'train.active': { readonly input: NoInput; readonly output: { readonly run: RunInfo | null } };
}
