// Hook: writes the run folder's checkpoints. best/ (a Hugging Face folder) after each evaluation that the
// early-stopping hook marked best; resume/ (exact state: params, AdamW moments, position) every few minutes
// mid-epoch, at the end of each epoch and when the run stops before completing.
import { join } from 'node:path';
import { saveCheckpoint } from '../model';
import type { TrainerConfig } from './config';
import type { EarlyStoppingHook } from './early-stopping-hook';
import type { Evaluation, LoopState, TrainerHook } from './hooks';
import { type ResumeInfo, saveResumeState } from './resume-state';
import type { TrainerData, TrainerModel, TrainerRun } from './types';

/** A save that failed (disk full, permissions); the previous version of the folder is left intact. */
export class CheckpointSaveError extends Error {
  override readonly name = 'CheckpointSaveError';
}

/** How often resume/ is written mid-epoch unless TrainerRun.checkpointEverySec says otherwise (5 minutes). */
export const DEFAULT_CHECKPOINT_EVERY_SEC = 300;

/** The resume folder of a run folder. */
export function resumeDirOf(outDir: string): string {
  return join(outDir, 'resume');
}

export interface CheckpointHookOptions {
  readonly model: TrainerModel;
  readonly data: TrainerData;
  readonly cfg: TrainerConfig;
  readonly run: TrainerRun;
  /** Identifies config + data; a resume folder from another configuration is refused. */
  readonly configHash: string;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Its state goes into resume/. */
  readonly earlyStopping: EarlyStoppingHook;
  /** Trained parameters that are not the model's (learned task weights): resume/ keeps them, best/ does not. */
  readonly notInBest?: ReadonlySet<string>;
}

export class CheckpointHook implements TrainerHook {
  /** best/ once a best checkpoint was saved in this process. */
  bestCheckpoint: string | null = null;

  private lastResumeSave = performance.now();

  constructor(private readonly o: CheckpointHookOptions) {}

  async onEvaluation(state: LoopState, evaluation: Evaluation): Promise<void> {
    if (evaluation.isBest) await this.saveBest(state, evaluation);
  }

  /**
   * Mid-epoch: writes resume/ when `run.checkpointEverySec` have passed since the last write, so a crash
   * (power loss, kill -9, out of memory) loses at most that much work. The epoch end writes it anyway.
   */
  async onStepEnd(state: LoopState): Promise<void> {
    const every = this.o.run.checkpointEverySec ?? DEFAULT_CHECKPOINT_EVERY_SEC;
    if (every <= 0 || state.planDone || performance.now() - this.lastResumeSave < every * 1000) return;
    await this.saveResume(state);
    state.emit({ type: 'checkpoint', step: state.session.step, path: resumeDirOf(this.o.run.outDir), best: false });
  }

  async onEpochEnd(state: LoopState): Promise<void> {
    await this.saveResume(state);
  }

  async onTrainEnd(state: LoopState): Promise<void> {
    if (state.status !== 'completed') await this.saveResume(state);
  }

  // Weights come back from the device only here (and for resume/): a best checkpoint or an epoch end.
  private async saveBest(state: LoopState, ev: Evaluation): Promise<void> {
    const { model, data, cfg, run, shapes } = this.o;
    const weights = await state.session.readParameters();
    const bestDir = join(run.outDir, 'best');
    savingTo(bestDir, () =>
      saveCheckpoint(bestDir, {
        config: model.config,
        meta: {
          version: 1,
          heads: {
            ...(data.classLabels.length > 0 && { classification: { labels: [...data.classLabels] } }),
            ...(data.nerTags.length > 0 && { ner: { labels: [...data.nerTags] } }),
          },
          pooling: cfg.pooling,
          maxLength: cfg.maxLength,
          extra: { ...run.provenance, step: ev.step, epoch: ev.epoch, metric: ev.metric, value: ev.value },
        },
        params: new Map(
          [...weights]
            .filter(([n]) => !this.o.notInBest?.has(n))
            .map(([n, d]) => [n, { data: d as Float32Array, shape: shapes.get(n)! }]),
        ),
        tokenizerDir: model.tokenizerDir,
      }),
    );
    this.bestCheckpoint = bestDir;
    state.emit({ type: 'checkpoint', step: ev.step, path: bestDir, best: true });
  }

  private async saveResume(state: LoopState): Promise<void> {
    const training = await state.session.readState();
    const info: ResumeInfo = {
      version: 1,
      configHash: this.o.configHash,
      step: state.session.step,
      epoch: state.resumeAt.epoch,
      batchInEpoch: state.resumeAt.batchInEpoch,
      earlyStopping: this.o.earlyStopping.state(),
      elapsedSec: state.seconds(),
    };
    saveResumeState(resumeDirOf(this.o.run.outDir), training, info, this.o.shapes);
    this.lastResumeSave = performance.now();
  }
}

function savingTo(dir: string, save: () => void): void {
  try {
    save();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOSPC'
        ? 'the disk is full'
        : e.code === 'EACCES' || e.code === 'EPERM'
          ? 'permission was denied'
          : e.message;
    throw new CheckpointSaveError(
      `could not save ${dir}: ${why}. The previous checkpoint there is intact; free space or fix the folder, then continue the run with --resume.`,
    );
  }
}
