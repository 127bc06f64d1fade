// zod schemas for the learning-curve services' inputs.
import { z } from 'zod';
import { IdSchema } from '../projects/ids';
import { TrainingRequest } from '../train/schemas';

export const DEFAULT_CURVE_FRACTIONS: readonly number[] = [0.25, 0.5, 0.75, 1];

/** A learning curve: the Train screen's request, trained on each share of its train examples. */
export const StartCurveInput = z
  .object({
    request: TrainingRequest,
    /** Shares of the train examples, each in (0, 1]; duplicates are dropped, smallest first. */
    fractions: z
      .array(z.number().gt(0, 'a share must be above 0').max(1, 'a share is at most 1 (all the data)'))
      .min(1)
      .max(20)
      .default([...DEFAULT_CURVE_FRACTIONS]),
    /** Display name; default "Learning curve: <preset> <model>". */
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type StartCurveInput = z.output<typeof StartCurveInput>;

export const CurveIdInput = z.object({ curveId: IdSchema });
export type CurveIdInput = z.output<typeof CurveIdInput>;

export const ProjectCurvesInput = z.object({ projectId: IdSchema });
export type ProjectCurvesInput = z.output<typeof ProjectCurvesInput>;

/** A curve.json written by `mts curve`, imported into a project. */
export const ImportCurveInput = z.object({ projectId: IdSchema, path: z.string().min(1) });
export type ImportCurveInput = z.output<typeof ImportCurveInput>;
