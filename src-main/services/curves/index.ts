// Learning curves in the app: start, cancel, list, import (`mts curve` is services/pipeline/curve.ts).
export * from './schemas';
export { startCurve, cancelCurve, activeCurveId, type CurveEvent, type CurveRuntime, type CurveStarted } from './run';
export { listCurves, curveById, importCurveFile } from './store';
export { curveVerdict, type CurveVerdict, type VerdictPoint } from './verdict';
export { pickShare, shareProblems, shareName, sharePercent } from './shares';
