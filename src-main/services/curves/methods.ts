/**
 * Wiring of the learning-curve service to the contract: the `curves.*` methods. A curve's shares are ordinary
 * runs, so their training events go out as `train.*` events (the Runs screen follows them as it follows any
 * run); the curve itself sends `curves.changed`.
 */
import type { CurveId, LearningCurveInfo } from '../../../src-preload/contract';
import type { StoredCurve } from '../../store/repos/curves';
import type { DbHandle } from '../app/db';
import { defineMethod, type MethodSlice } from '../api/methods';
import { projectId, runId } from '../api/ids';
import { trainEventForwarder } from '../train/methods';
import {
  cancelCurve,
  curveVerdict,
  CurveIdInput,
  importCurveFile,
  ImportCurveInput,
  listCurves,
  ProjectCurvesInput,
  startCurve,
  StartCurveInput,
} from '.';

const curveId = (id: number): CurveId => id as CurveId;

/** The contract's view of a stored curve, with its verdict. */
export function toCurveInfo(c: StoredCurve): LearningCurveInfo {
  return {
    id: curveId(c.id),
    projectId: projectId(c.projectId),
    name: c.name,
    origin: c.origin,
    status: c.status,
    error: c.error,
    fractions: c.fractions,
    points: c.points.map((p) => ({ ...p, runId: p.runId === null ? null : runId(p.runId) })),
    devExamples: c.devExamples,
    verdict: curveVerdict(c.points, c.devExamples),
    createdAt: c.createdAt,
    endedAt: c.endedAt,
  };
}

type CurvesMethodNames = 'curves.start' | 'curves.cancel' | 'curves.list' | 'curves.import';

/** Builds the `curves.*` methods over the database in `db`. */
export function curvesMethods(db: DbHandle): MethodSlice<CurvesMethodNames> {
  return {
    'curves.start': defineMethod('curves.start', StartCurveInput, async (input, ctx) => {
      const started = await startCurve(db.get(), input, {
        onEvent: trainEventForwarder(ctx.emit),
        onCurve: (e) => ctx.emit({ type: 'curves.changed', curveId: curveId(e.curveId), status: e.status }),
      });
      return toCurveInfo(started.curve);
    }),
    'curves.cancel': defineMethod('curves.cancel', CurveIdInput, async (input) => ({
      curveId: curveId(cancelCurve(db.get(), input).curveId),
    })),
    'curves.list': defineMethod('curves.list', ProjectCurvesInput, async (input) =>
      listCurves(db.get(), input).map(toCurveInfo),
    ),
    'curves.import': defineMethod('curves.import', ImportCurveInput, async (input) =>
      toCurveInfo(importCurveFile(db.get(), input)),
    ),
  };
}
