import type { TrainEvent } from './events';
import type { TrainExample } from './example';
import type { Evaluation, LoopState, TrainerHook } from './hooks';
import type { Stepper } from './stepper';
import type { TrainResult } from './types';

/** The loop's position, status and clock: what hooks see as LoopState. */
export class LoopProgress implements LoopState {
  epoch = 0;
  batchInEpoch = 0;
  planLength = 0;
  /** Set while the epoch-end hooks run: where the loop goes next (resumeAt). */
  next: { epoch: number; batchInEpoch: number } | undefined;
  status: TrainResult['status'] = 'completed';
  elapsedBefore = 0;
  private t0 = performance.now();

  constructor(
    readonly session: Stepper,
    readonly emit: (event: TrainEvent) => void,
    private readonly hooks: readonly TrainerHook[],
  ) {}

  get planDone(): boolean {
    return this.batchInEpoch >= this.planLength;
  }

  get resumeAt(): { epoch: number; batchInEpoch: number } {
    return this.next ?? { epoch: this.epoch, batchInEpoch: this.batchInEpoch };
  }

  startClock(): void {
    this.t0 = performance.now();
  }

  seconds(): number {
    return this.elapsedBefore + (performance.now() - this.t0) / 1000;
  }

  async evaluated(ev: Evaluation): Promise<void> {
    for (const h of this.hooks) await h.onEvaluation?.(this, ev);
    this.emit({ type: 'eval', step: ev.step, epoch: ev.epoch, metrics: ev.metrics, isBest: ev.isBest });
  }

  stopRequested(): boolean {
    return this.hooks.some((h) => h.shouldStop?.(this) ?? false);
  }
}

/** Throughput and time left, over the steps of this process (not those before a resume). */
export class StepTimer {
  private seconds = 0;
  private steps = 0;
  private samples = 0;

  add(seconds: number, group: readonly (readonly TrainExample[])[]): void {
    this.seconds += seconds;
    this.steps++;
    this.samples += group.reduce((n, batch) => n + batch.length, 0);
  }

  samplesPerSec(): number {
    return this.samples / this.seconds;
  }

  etaSec(stepsLeft: number): number {
    return (this.seconds / this.steps) * stepsLeft;
  }
}
