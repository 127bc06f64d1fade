// Reading and importing learning curves: a project's curves (runs left by a dead process marked interrupted
// first), and a curve.json of `mts curve` stored as a curve whose points have no run in this app.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { Db } from '../../store/db';
import { getProject } from '../../store/repos/projects';
import {
  createCurve,
  getCurve,
  listCurves as listStored,
  markOrphanedCurvesInterrupted,
  putCurvePoint,
  type StoredCurve,
} from '../../store/repos/curves';
import { ServiceError } from '../api/errors';
import { checkImportPath } from '../datasets/paths';
import { activeCurveId } from './run';
import type { CurveIdInput, ImportCurveInput, ProjectCurvesInput } from './schemas';

/** A project's learning curves, newest first. */
export function listCurves(db: Db, { projectId }: ProjectCurvesInput): readonly StoredCurve[] {
  getProject(db, projectId);
  markOrphanedCurvesInterrupted(db, (id) => id === activeCurveId());
  return listStored(db, projectId);
}

/** One learning curve with its points. */
export function curveById(db: Db, { curveId }: CurveIdInput): StoredCurve {
  markOrphanedCurvesInterrupted(db, (id) => id === activeCurveId());
  return getCurve(db, curveId);
}

// services/pipeline/curve.ts writes it: { options, fractions, outDir, points, lastGainPoints }.
const CurveFile = z.object({
  // Files from before the status was written are of finished curves.
  status: z.enum(['completed', 'cancelled', 'failed']).default('completed'),
  error: z.string().optional(),
  devExamples: z.int().nonnegative().nullable().optional(),
  options: z.looseObject({ train: z.string().optional(), model: z.string().optional() }).optional(),
  points: z
    .array(
      z.looseObject({
        fraction: z.number().gt(0).max(1),
        trainExamples: z.int().nonnegative(),
        accuracy: z.number().min(0).max(1).nullable(),
        nerF1: z.number().min(0).max(1).nullable(),
      }),
    )
    .min(1),
});

/** Stores a curve.json of `mts curve` as a curve of the project, completed or cancelled as the file says (its runs stay folders on disk). */
export function importCurveFile(db: Db, { projectId, path }: ImportCurveInput): StoredCurve {
  getProject(db, projectId);
  const real = checkImportPath(path);
  let parsed: z.ZodSafeParseResult<z.infer<typeof CurveFile>>;
  try {
    parsed = CurveFile.safeParse(JSON.parse(readFileSync(real, 'utf8')));
  } catch (err) {
    throw new ServiceError(
      'invalid_input',
      `${path} is not valid JSON (${(err as Error).message}); pick the curve.json that mts curve wrote.`,
    );
  }
  if (!parsed.success)
    throw new ServiceError(
      'invalid_input',
      `${path} is not a curve.json of mts curve: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}.`,
    );
  const { options, points, devExamples, status, error } = parsed.data;
  const from = options?.train !== undefined ? basename(options.train) : basename(dirname(real));
  const curve = createCurve(db, {
    projectId,
    name: `mts curve: ${from}${options?.model !== undefined ? ` · ${basename(options.model)}` : ''}`,
    origin: 'cli',
    settings: { file: real, ...(options !== undefined && { options }) },
    fractions: points.map((p) => p.fraction),
    devExamples: devExamples ?? null,
    status,
    ...(error !== undefined && { error: `mts curve: ${error}` }),
  });
  db.transaction(() => {
    for (const p of points)
      putCurvePoint(db, curve.id, {
        fraction: p.fraction,
        trainExamples: p.trainExamples,
        runId: null,
        accuracy: p.accuracy,
        nerF1: p.nerF1,
      });
  })();
  return getCurve(db, curve.id);
}
