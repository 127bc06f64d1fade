/** Losses of one optimizer step; a task is absent when its head had no labelled examples in the batch. */
export interface StepLosses {
  readonly total: number;
  readonly classification?: number;
  readonly ner?: number;
}

export interface ClassMetrics {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: readonly {
    readonly label: string;
    readonly precision: number;
    readonly recall: number;
    readonly f1: number;
    readonly support: number;
  }[];
  readonly confusion: readonly (readonly number[])[];
  readonly labels: readonly string[];
}

export interface NerMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly perType: readonly {
    readonly type: string;
    readonly precision: number;
    readonly recall: number;
    readonly f1: number;
    readonly support: number;
  }[];
}

export interface EvalMetrics {
  readonly classification?: ClassMetrics;
  readonly ner?: NerMetrics;
  readonly loss?: StepLosses;
}

/** Which execution provider actually ran, and why others were not used. */
export interface DeviceReport {
  readonly requested: string;
  readonly used: string;
  readonly notUsed: readonly { readonly device: string; readonly reason: string }[];
  /** For 'auto' with a GPU to compare: each device's measured training rate (cached: from an earlier run). */
  readonly measured?: readonly { readonly device: string; readonly samplesPerSec: number; readonly cached: boolean }[];
  /**
   * What the run changes for the device used (DirectML: the word-embedding table stays frozen). The trainer
   * always sets it (empty: nothing changed); absent in events stored before it existed.
   */
  readonly notes?: readonly string[];
}

/** Progress of a training run, as the CLI, the store and the UI see it. */
export type TrainEvent =
  | {
      readonly type: 'started';
      readonly device: DeviceReport;
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
      readonly losses: StepLosses;
      readonly lr: number;
      readonly gradNorm: number;
      readonly samplesPerSec: number;
      readonly etaSec: number;
    }
  | {
      readonly type: 'eval';
      readonly step: number;
      readonly epoch: number;
      readonly metrics: EvalMetrics;
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
  /** Something the run decided that the user should read (the feature cache was built, reused or not used). */
  | { readonly type: 'message'; readonly level: 'info' | 'warning'; readonly message: string };
