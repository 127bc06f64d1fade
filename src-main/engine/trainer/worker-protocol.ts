import type { TrainerConfigInput } from './config';
import type { TrainEvent } from './events';
import type { TrainExample } from './example';
import type { TrainResult } from './trainer';

/** Everything a training worker needs; plain data, so it crosses the thread boundary by structured clone. */
export interface TrainJob {
  /** Base model folder or one of our checkpoints. */
  readonly modelDir: string;
  readonly train: readonly TrainExample[];
  readonly dev: readonly TrainExample[];
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
  readonly config: TrainerConfigInput;
  readonly outDir: string;
  readonly resume: boolean;
  readonly provenance?: Readonly<Record<string, unknown>>;
  /** TrainerRun.checkpointEverySec. */
  readonly checkpointEverySec?: number;
}

/** Main -> worker. The cancel flag is an Int32Array over shared memory: 1 means stop at the next step. */
export interface StartMessage {
  readonly type: 'start';
  readonly job: TrainJob;
  readonly cancelFlag: SharedArrayBuffer;
}

/** Worker -> main. */
export type WorkerMessage =
  | { readonly type: 'event'; readonly event: TrainEvent }
  | { readonly type: 'done'; readonly result: TrainResult }
  | { readonly type: 'failed'; readonly name: string; readonly message: string };
