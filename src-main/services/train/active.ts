// The one training this process may run at a time: its run id, its cancel switch and its completion.
import type { TrainResult } from '../../engine/trainer';
import type { Run } from '../../store/types';
import { ServiceError } from '../api/errors';

/** How a training ended: the final run row, and the trainer's result unless it failed. */
export interface TrainingOutcome {
  readonly run: Run;
  readonly result: TrainResult | null;
}

interface Slot {
  /** Says what holds the slot in a refusal ("learning curve 3, ... until its last share"); null: one training. */
  readonly holder: string | null;
  runId: number | null;
  readonly controller: AbortController;
  done: Promise<TrainingOutcome> | null;
}

let slot: Slot | null = null;

/** The run id of the training in progress; null when idle (also while a start is still preparing data). */
export function activeRunId(): number | null {
  return slot?.runId ?? null;
}

/** True while a training is being prepared or runs. */
export function isBusy(): boolean {
  return slot !== null;
}

/**
 * claimSlot, or the 'conflict' refusal that says what to do when a training already holds the slot. `holder`
 * describes this claim in the refusals others get while it holds the slot.
 */
export function claimSlotOrRefuse(holder?: string): NonNullable<ReturnType<typeof claimSlot>> {
  const held = slot?.holder ?? null;
  const claimed = claimSlot(holder);
  if (!claimed)
    throw new ServiceError(
      'conflict',
      held !== null
        ? `${held} is training in this app; only one training runs at a time. Wait for it to end or cancel it.`
        : 'A training is already running in this app; only one runs at a time. Wait for it to finish or cancel it.',
    );
  return claimed;
}

/** Claims the slot synchronously (before any await) so two quick clicks cannot both start; null if taken. */
export function claimSlot(holder?: string): {
  readonly signal: AbortSignal;
  attach(runId: number, done: Promise<TrainingOutcome>): void;
  release(): void;
} | null {
  if (slot !== null) return null;
  const mine: Slot = { holder: holder ?? null, runId: null, controller: new AbortController(), done: null };
  slot = mine;
  return {
    signal: mine.controller.signal,
    attach(runId, done) {
      mine.runId = runId;
      mine.done = done;
    },
    release() {
      if (slot === mine) slot = null;
    },
  };
}

/** Aborts the given run if it is the active one; false when it is not training here. */
export function abortRun(runId: number): boolean {
  if (slot === null || slot.runId !== runId) return false;
  slot.controller.abort();
  return true;
}

/** Completion of the given run if it is the active one. */
export function completionOf(runId: number): Promise<TrainingOutcome> | null {
  return slot !== null && slot.runId === runId ? slot.done : null;
}
