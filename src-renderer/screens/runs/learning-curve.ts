/** Pure helpers of the learning-curve panel: chart scales and series, the shares field, a run as a template. */
import type {
  CurvePointInfo,
  DatasetId,
  FreezePresetName,
  JsonValue,
  LearningCurveInfo,
  ProjectId,
  TrainRequest,
} from '../../../src-preload/contract';

export interface CurveSeriesPoint {
  readonly x: number;
  /** Dev metric in percent. */
  readonly y: number;
  readonly fraction: number;
}

export interface CurveSeries {
  readonly key: 'accuracy' | 'nerF1';
  readonly label: string;
  readonly points: readonly CurveSeriesPoint[];
}

const LABEL = { accuracy: 'Dev accuracy', nerF1: 'Dev entity F1' } as const;

/** One series per task the curve measured: train examples against the best dev metric (in %). */
export function curveSeries(points: readonly CurvePointInfo[]): CurveSeries[] {
  return (['accuracy', 'nerF1'] as const)
    .map((key) => ({
      key,
      label: LABEL[key],
      points: points
        .filter((p) => p[key] !== null)
        .map((p) => ({ x: p.trainExamples, y: 100 * p[key]!, fraction: p.fraction }))
        .sort((a, b) => a.x - b.x),
    }))
    .filter((s) => s.points.length > 0);
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 x 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** The chart's domains: x from 0 to the largest share; y a 10-point-aligned band around the values, in 0..100. */
export function curveDomains(series: readonly CurveSeries[]): { x: [number, number]; y: [number, number] } {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMax = Math.max(1, ...xs);
  const yLo = ys.length ? Math.max(0, Math.floor((Math.min(...ys) - 5) / 10) * 10) : 0;
  const yHi = ys.length ? Math.min(100, Math.ceil((Math.max(...ys) + 5) / 10) * 10) : 100;
  return { x: [0, xMax], y: [yLo, Math.max(yHi, yLo + 10)] };
}

/** "25, 50, 75, 100" (percent) or "0.25, 0.5" -> fractions; an error sentence naming the bad entry otherwise. */
export function parseShares(text: string): { ok: true; fractions: number[] } | { ok: false; error: string } {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.replace(/%$/, ''))
    .filter((p) => p !== '');
  if (parts.length === 0) return { ok: false, error: 'Give at least one share, e.g. 25, 50, 75, 100.' };
  const values = parts.map(Number);
  const bad = parts.findIndex((_, i) => !Number.isFinite(values[i]!) || values[i]! <= 0 || values[i]! > 100);
  if (bad >= 0) return { ok: false, error: `"${parts[bad]}" is not a share: use percentages from 1 to 100.` };
  const percent = values.some((v) => v > 1);
  return { ok: true, fractions: values.map((v) => (percent ? v / 100 : v)) };
}

/** "50 %" for 0.5. */
export const shareLabel = (fraction: number): string => `${Math.round(1000 * fraction) / 10} %`;

/** The settings a curve repeats from a run, as stored with it; null when the run has none (another tool's run). */
export function requestOfRun(config: JsonValue): TrainRequest | null {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return null;
  const r = (config as { readonly [k: string]: JsonValue })['request'];
  if (r === null || r === undefined || typeof r !== 'object' || Array.isArray(r)) return null;
  const req = r as { readonly [k: string]: JsonValue };
  if (typeof req['projectId'] !== 'number' || typeof req['datasetId'] !== 'number') return null;
  if (typeof req['modelDir'] !== 'string') return null;
  // The stored request is the resolved one: its epochs came from the full data's recipe. A curve leaves them
  // out so that each share gets its own (as `mts curve` does); the name is the curve's.
  const { name: _name, epochs: _epochs, ...rest } = req;
  return rest as unknown as TrainRequest;
}

/** A request for the form's dataset, model and preset over a template (a run's settings) or the defaults. */
export function curveRequest(
  base: TrainRequest | null,
  form: {
    readonly projectId: ProjectId;
    readonly datasetId: DatasetId;
    readonly modelDir: string;
    readonly preset: FreezePresetName;
  },
): TrainRequest {
  const sameData = base !== null && base.datasetId === form.datasetId && base.projectId === form.projectId;
  // Another dataset: the template's per-task sources belong to the old one.
  const { nerDatasetId: _n, devDatasetId: _d, nerDevDatasetId: _nd, ...common } = base ?? {};
  const keep = sameData ? base : common;
  // A preset brings its own learning rate (recipe.ts): the template's only holds for the template's preset.
  const { lr: _lr, ...withoutLr } = keep as Partial<TrainRequest>;
  const settings = base !== null && base.preset === form.preset ? keep : withoutLr;
  return { ...settings, ...form };
}

/** The share training now: the last point of a running curve without metrics yet. */
export function runningShare(curve: LearningCurveInfo): CurvePointInfo | null {
  const last = curve.points.at(-1);
  return curve.status === 'running' && last && last.accuracy === null && last.nerF1 === null ? last : null;
}
