import { z } from 'zod';

/**
 * Learning-rate schedules, evaluated on the host so that one training graph serves every step: the graph
 * takes `optim.lr` and the bias corrections as inputs. Step indices follow Hugging Face's
 * `get_*_schedule_with_warmup` (LambdaLR): the first optimizer step uses index 0, so with warmup > 0 the
 * very first update has lr 0, exactly as in transformers' Trainer.
 */
export const lrScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), lr: z.number().nonnegative() }),
  z.object({
    kind: z.literal('linear'),
    lr: z.number().nonnegative(),
    warmupSteps: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
  }),
  z.object({
    kind: z.literal('cosine'),
    lr: z.number().nonnegative(),
    warmupSteps: z.number().int().nonnegative(),
    totalSteps: z.number().int().positive(),
    /** Cosine cycles over the decay phase; 0.5 (HF default) decays once from lr to 0. */
    cycles: z.number().positive().default(0.5),
  }),
]);

export type LrSchedule = z.input<typeof lrScheduleSchema>;

/** Thrown for a schedule that cannot be evaluated (names the field and how to fix it). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** The learning rate for optimizer step index `step` (0-based, HF LambdaLR convention). */
export function learningRate(schedule: LrSchedule, step: number): number {
  if (!Number.isInteger(step) || step < 0) {
    throw new ScheduleError(`learningRate: step must be a non-negative integer, got ${step}.`);
  }
  const s = lrScheduleSchema.parse(schedule);
  if (s.kind === 'constant') return s.lr;
  if (s.warmupSteps > s.totalSteps) {
    throw new ScheduleError(
      `learningRate: warmupSteps (${s.warmupSteps}) exceeds totalSteps (${s.totalSteps}); lower the warmup or raise the step count.`,
    );
  }
  if (step < s.warmupSteps) return (s.lr * step) / Math.max(1, s.warmupSteps);
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  if (s.kind === 'linear') return s.lr * Math.max(0, (s.totalSteps - step) / decaySteps);
  const progress = (step - s.warmupSteps) / decaySteps;
  return s.lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * s.cycles * 2 * progress)));
}

/** Warmup steps as a fraction of the total (e.g. 6 % of 7,500 steps -> 450), rounded up like HF's warmup_ratio. */
export function warmupStepsFromRatio(totalSteps: number, ratio: number): number {
  if (!(ratio >= 0 && ratio <= 1)) throw new ScheduleError(`warmup ratio must be in [0, 1], got ${ratio}.`);
  return Math.ceil(totalSteps * ratio);
}
