// "Does more labelling pay?": the advisor-style reading of a learning curve, from the slope of its last points.

export type CurveTask = 'classification' | 'ner';

/** A measured share as the verdict reads it: train size and best dev metrics (0..1; null = not measured). */
export interface VerdictPoint {
  readonly trainExamples: number;
  readonly accuracy: number | null;
  readonly nerF1: number | null;
}

export interface CurveVerdict {
  readonly task: CurveTask;
  /**
   * 'yes': rising by at least twice the noise (and 2 points) per doubling; 'little': by more than the noise;
   * 'no': within the noise, or falling (its message then says so); 'unknown': fewer than 2 points.
   */
  readonly pays: 'yes' | 'little' | 'no' | 'unknown';
  /** Dev metric points gained per doubling of the training data over the last points (null below 2 points). */
  readonly pointsPerDoubling: number | null;
  readonly message: string;
}

const METRIC: Record<CurveTask, string> = { classification: 'dev accuracy', ner: 'dev entity F1' };
/** The task's metric of a point; null when not measured (or not a number: a file may hold NaN). */
const metricOf = (p: VerdictPoint, t: CurveTask): number | null => {
  const v = t === 'ner' ? p.nerF1 : p.accuracy;
  return v !== null && Number.isFinite(v) ? v : null;
};

/** How many of the last points the slope is fitted on: the top half of the curve, where the decision lies. */
const LAST_POINTS = 3;

/** Least-squares slope of y against x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/**
 * Per task the curve measured: the slope of its last (up to three) points, in metric points per doubling of the
 * training data (learning curves are close to straight against log data size), and what it means. A change
 * smaller than three dev examples' worth (or 1 point) per doubling is noise, not a trend (as in the advisor);
 * 'yes' needs twice that (and 2 points), since each share trains once, with one seed.
 */
export function curveVerdict(points: readonly VerdictPoint[], devExamples: number | null): CurveVerdict[] {
  const out: CurveVerdict[] = [];
  const noise = Math.max(1, devExamples && devExamples > 0 ? 300 / devExamples : 1);
  for (const task of ['classification', 'ner'] as const) {
    const measured = points
      .filter((p) => p.trainExamples > 0 && metricOf(p, task) !== null)
      .sort((a, b) => a.trainExamples - b.trainExamples);
    if (!points.some((p) => metricOf(p, task) !== null)) continue;
    if (measured.length < 2 || measured[0]!.trainExamples === measured.at(-1)!.trainExamples) {
      out.push({
        task,
        pays: 'unknown',
        pointsPerDoubling: null,
        message: `The ${METRIC[task]} has ${measured.length} measured share${measured.length === 1 ? '' : 's'} so far: whether more labelling pays needs two.`,
      });
      continue;
    }
    const last = measured.slice(-LAST_POINTS);
    const perDoubling = slope(
      last.map((p) => Math.log2(p.trainExamples)),
      last.map((p) => 100 * metricOf(p, task)!),
    );
    const [a, b] = [last[0]!, last.at(-1)!];
    const span = `from ${a.trainExamples} to ${b.trainExamples} examples it went ${(100 * metricOf(a, task)!).toFixed(1)} -> ${(100 * metricOf(b, task)!).toFixed(1)}`;
    const rate = `${perDoubling >= 0 ? '+' : ''}${perDoubling.toFixed(1)} points per doubling of the data`;
    const noiseNote = devExamples
      ? `; with ${devExamples} dev examples, changes under ${noise.toFixed(1)} points are noise`
      : '';
    // Each share is one training seed: a gain within the noise of the dev set is no evidence of a trend.
    const pays: CurveVerdict['pays'] =
      perDoubling >= Math.max(2, 2 * noise) ? 'yes' : perDoubling >= noise ? 'little' : 'no';
    const falls = perDoubling <= -noise;
    const advice = {
      yes: `More labelling pays: the ${METRIC[task]} still rises ${rate} (${span}). Labelling as many again would add about ${perDoubling.toFixed(1)} points if the trend holds.`,
      little: `More labelling pays a little: the ${METRIC[task]} rises ${rate} (${span}${noiseNote}). The recipe (epochs, learning rate, preset) or the label quality may pay more than more of the same data.`,
      no: falls
        ? `More data made the ${METRIC[task]} worse: it falls ${rate} (${span}${noiseNote}). That points at the data or the recipe, not at a plateau: check the labels of the examples the larger shares add, and the epochs each share trained (they differ by share size).`
        : `More labelling of the same kind will add little: the ${METRIC[task]} is flat at ${rate} (${span}${noiseNote}). Look at label quality, the recipe, or label harder examples instead.`,
    }[pays];
    out.push({ task, pays, pointsPerDoubling: Number(perDoubling.toFixed(2)), message: advice });
  }
  return out;
}
