// What train() takes and returns (trainer.ts); shared with the hooks, which must not import the loop.
import type { HfBertConfig, ParamStore } from '../model';
import type { DeviceReport, EvalMetrics, TrainEvent } from './events';
import type { TrainExample } from './example';

/** The starting model: base encoder (+ heads, initialised by the caller) and where its tokenizer lives. */
export interface TrainerModel {
  readonly config: HfBertConfig;
  readonly params: ParamStore;
  readonly tokenizerDir: string;
  readonly padId: number;
}

/** Tokenised data and label names; an empty label list means the model has no head for that task. */
export interface TrainerData {
  readonly train: readonly TrainExample[];
  readonly dev: readonly TrainExample[];
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
}

export interface TrainerRun {
  /** Run folder: best/ (HF checkpoint), resume/ (exact state), metrics.json, trainer-config.json. */
  readonly outDir: string;
  /** Continue from outDir/resume when it exists (it must come from the same config and data). */
  readonly resume?: boolean;
  /** Checked between steps: an AbortSignal, or a flag a worker reads from shared memory. */
  readonly signal?: { readonly aborted: boolean };
  readonly onEvent?: (event: TrainEvent) => void;
  /** Provenance stored in the checkpoint's config.json under mts.extra. */
  readonly provenance?: Readonly<Record<string, unknown>>;
  /**
   * The model was loaded for this run only: training takes its weight arrays as its own buffers instead of
   * copying them (about 90 MB less peak memory for MiniLM) and overwrites them. Leave off to reuse the model.
   */
  readonly consumeModelWeights?: boolean;
  /**
   * Where `device: 'auto'` keeps its measured rates (per machine, graph and batch shape); null: measure every
   * time. Default: <XDG_CACHE_HOME or ~/.cache>/multitask-studio/device-calibration.json.
   */
  readonly calibrationCache?: string | null;
  /**
   * Write resume/ mid-epoch once this many seconds have passed since the last write (atomically: a crash
   * leaves the previous one); 0: only at epoch ends and when the run stops. Default 300 (5 minutes).
   */
  readonly checkpointEverySec?: number;
  /** Free bytes on the disk holding a folder (default: fs.statfs); decides whether the feature cache fits. */
  readonly freeBytes?: (dir: string) => number;
}

export interface TrainResult {
  readonly status: 'completed' | 'cancelled' | 'early-stopped';
  readonly steps: number;
  readonly seconds: number;
  readonly device: DeviceReport;
  readonly best: {
    readonly metric: string;
    readonly value: number | null;
    readonly step: number;
    readonly metrics?: EvalMetrics;
  };
  readonly history: readonly { readonly step: number; readonly epoch: number; readonly metrics: EvalMetrics }[];
  readonly bestCheckpoint: string | null;
  /** Uncertainty weighting: each task's learned weight exp(-s) at the end of the run. */
  readonly taskWeights?: { readonly classification?: number; readonly ner?: number };
}
