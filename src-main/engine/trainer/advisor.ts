/**
 * The training advisor: reads a run's per-task curves (training losses per step, dev metrics per evaluation)
 * and says in plain words which head lags, whether the run over-fits, whether a head has not learned, and
 * what to try next. Pure: the CLI runs it on a finished run, the app on a live or stored one (from two
 * evaluations on).
 */
import type { EvalMetrics, TrainEvent } from './events';

export type AdvisorTask = 'classification' | 'ner';

/** Training losses of one optimizer step (a task is absent when its batch had no labels for it). */
export interface AdvisorStep {
  readonly step: number;
  readonly classification?: number;
  readonly ner?: number;
}

/** One dev evaluation: the task metric (accuracy, entity F1, 0..1) and the dev loss per task. */
export interface AdvisorEval {
  readonly step: number;
  readonly accuracy?: number;
  readonly nerF1?: number;
  readonly classificationLoss?: number;
  readonly nerLoss?: number;
}

/** What the run was asked to do (the advice refers to it). */
export interface AdvisorRecipe {
  readonly preset: string;
  readonly lr: number;
  readonly lossWeights: { readonly classification: number; readonly ner: number };
  readonly numClasses: number;
  /** Dev examples: a change of fewer than 3 of them is noise, not a trend. */
  readonly devExamples: number;
}

export type Advice =
  | {
      readonly kind: 'head-lags';
      readonly task: AdvisorTask;
      /** The last evaluation's dev metric of the lagging head and of the other head (0..1). */
      readonly metrics: { readonly lagging: number; readonly other: number };
      readonly message: string;
    }
  | {
      readonly kind: 'over-fitting';
      readonly task: AdvisorTask;
      readonly bestStep: number;
      readonly message: string;
    }
  | { readonly kind: 'not-learning'; readonly task: AdvisorTask; readonly message: string }
  | {
      readonly kind: 'still-improving';
      readonly task: AdvisorTask;
      readonly gainPoints: number;
      readonly message: string;
    };

const NAME: Record<AdvisorTask, string> = { classification: 'classification head', ner: 'NER head' };
const METRIC: Record<AdvisorTask, string> = { classification: 'dev accuracy', ner: 'dev entity F1' };

const metricOf = (e: AdvisorEval, t: AdvisorTask): number | undefined => (t === 'ner' ? e.nerF1 : e.accuracy);
const devLossOf = (e: AdvisorEval, t: AdvisorTask): number | undefined =>
  t === 'ner' ? e.nerLoss : e.classificationLoss;
const pct = (x: number): string => `${(100 * x).toFixed(1)}`;

/** Mean training loss of a task over a window of steps; undefined when no step in it had the task. */
function meanLoss(steps: readonly AdvisorStep[], t: AdvisorTask): number | undefined {
  const xs = steps.map((s) => s[t]).filter((x): x is number => x !== undefined && Number.isFinite(x));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

/** Training loss at the start and at the end of the run: means over its first and last tenth of steps. */
function lossEnds(steps: readonly AdvisorStep[], t: AdvisorTask): { start: number; end: number } | undefined {
  const w = Math.max(1, Math.floor(steps.length / 10));
  const start = meanLoss(steps.slice(0, w), t);
  const end = meanLoss(steps.slice(-w), t);
  return start !== undefined && end !== undefined && start > 0 ? { start, end } : undefined;
}

/** The tasks the run trains: those with a training loss. */
function tasksOf(steps: readonly AdvisorStep[]): AdvisorTask[] {
  return (['classification', 'ner'] as const).filter((t) => steps.some((s) => s[t] !== undefined));
}

/**
 * Over-fitting: the dev loss has risen well above its best while the training loss kept falling, or the dev
 * metric fell clearly below its best over the later evaluations.
 */
function overFitting(
  t: AdvisorTask,
  steps: readonly AdvisorStep[],
  evals: readonly AdvisorEval[],
  recipe: AdvisorRecipe,
): Advice | undefined {
  const losses = evals.map((e) => devLossOf(e, t));
  if (losses.some((x) => x === undefined) || evals.length < 3) return undefined;
  const ls = losses as number[];
  let best = 0;
  for (let i = 1; i < ls.length; i++) if (ls[i]! < ls[best]!) best = i;
  const last = ls.length - 1;
  if (best >= last - 1) return undefined; // the best is (nearly) the latest: still improving
  const rise = (ls[last]! - ls[best]!) / ls[best]!;
  const bestStep = evals[best]!.step;
  const trainThen = meanLoss(
    steps.filter((s) => s.step <= bestStep && s.step > bestStep - Math.max(1, steps.length / 10)),
    t,
  );
  const trainNow = meanLoss(steps.slice(-Math.max(1, Math.floor(steps.length / 10))), t);
  const trainFell = trainThen !== undefined && trainNow !== undefined && trainNow < 0.8 * trainThen;
  if (rise < 0.15 || !trainFell) return undefined;
  const m = metricOf(evals[best]!, t);
  const mNow = metricOf(evals[last]!, t);
  const metricNote = m !== undefined && mNow !== undefined ? ` (${METRIC[t]} ${pct(m)} then, ${pct(mNow)} now)` : '';
  const trend =
    `its dev loss was lowest at step ${bestStep}${metricNote} and has risen ${Math.round(100 * rise)} % since, ` +
    `while its training loss kept falling (${trainThen!.toFixed(3)} -> ${trainNow!.toFixed(3)})`;
  // On real runs (a tiny AG News train set for 40 epochs) the dev loss rises long before the dev metric stops
  // rising: the model grows over-confident on dev while still ranking more of it right. Stopping at the loss's
  // minimum would then lose accuracy, so the advice says so instead of "stop earlier".
  const stillRising = m !== undefined && mNow !== undefined && 100 * (mNow - m) >= noisePoints(recipe);
  return {
    kind: 'over-fitting',
    task: t,
    bestStep,
    message: stillRising
      ? `The ${NAME[t]} is over-fitting: ${trend}. Its ${METRIC[t]} still rose after that, so stopping at the ` +
        `dev loss minimum would cost it; but its confidence on dev keeps getting worse and more epochs will mostly ` +
        `memorise the train set. Label more data, or freeze more of the encoder.`
      : `The ${NAME[t]} is over-fitting: ${trend}. Keep the best checkpoint, stop earlier (fewer epochs, or ` +
        `patience 1-2), label more data, or freeze more of the encoder.`,
  };
}

/** A change of fewer than three dev examples (or 1 point) is noise, not a trend. */
function noisePoints(recipe: AdvisorRecipe): number {
  return Math.max(1, 300 / Math.max(1, recipe.devExamples));
}

/** The metric's floor: chance accuracy, or an entity F1 of 0. */
function floorOf(t: AdvisorTask, recipe: AdvisorRecipe): number {
  return t === 'classification' ? 1 / Math.max(2, recipe.numClasses) : 0;
}

/** The last evaluation's metric sits within 5 points of its floor. */
function atFloor(t: AdvisorTask, evals: readonly AdvisorEval[], recipe: AdvisorRecipe): boolean {
  const m = metricOf(evals.at(-1)!, t);
  return m !== undefined && m <= floorOf(t, recipe) + 0.05;
}

/** A head has not learned: its dev metric sits at chance (or F1 0) at the end. */
function notLearning(
  t: AdvisorTask,
  steps: readonly AdvisorStep[],
  evals: readonly AdvisorEval[],
  recipe: AdvisorRecipe,
): Advice | undefined {
  if (!atFloor(t, evals, recipe)) return undefined;
  const m = metricOf(evals.at(-1)!, t)!;
  const ends = lossEnds(steps, t);
  const lossNote = ends
    ? `; its training loss went from ${ends.start.toFixed(3)} to ${ends.end.toFixed(3)}` +
      (t === 'ner' ? ' (predicting O everywhere already lowers it)' : '')
    : '';
  const lrHint =
    recipe.preset === 'heads-only' && recipe.lr < 5e-4
      ? ` With the encoder frozen a head needs a much higher learning rate than ${recipe.lr}: try 1e-3 to 3e-3.`
      : ' Train for more steps (more epochs), or raise the learning rate.';
  return {
    kind: 'not-learning',
    task: t,
    message: `The ${NAME[t]} has not learned: ${METRIC[t]} is ${pct(m)}, at chance${lossNote}.${lrHint}${crowdedOut(t, steps, evals, recipe)}`,
  };
}

/**
 * In a two-task run whose other head learns, a head stuck at chance may be crowded out of the shared encoder by
 * the other task's loss: seen on real runs (a tiny BERT on AG News with silver entities, weights 1 and 1: dev
 * accuracy 24.5 %, at chance, while NER F1 rose; with NER weight 0.05 the same run reached 65.5 %).
 */
function crowdedOut(
  t: AdvisorTask,
  steps: readonly AdvisorStep[],
  evals: readonly AdvisorEval[],
  recipe: AdvisorRecipe,
): string {
  const other: AdvisorTask = t === 'ner' ? 'classification' : 'ner';
  const w = recipe.lossWeights;
  const learning = metricOf(evals.at(-1)!, other) !== undefined && !atFloor(other, evals, recipe);
  if (!tasksOf(steps).includes(other) || w[other] < w[t] || !learning) return '';
  return (
    ` Both heads share the encoder and the ${NAME[other]} is learning: its loss (weight ${w[other]} against ` +
    `${w[t]}) may crowd this head out. Try a lower ${other === 'ner' ? 'NER' : 'classification'} weight ` +
    `(e.g. ${Number((w[t] / 10).toPrecision(2))}), or train the ${NAME[t]} alone to check.`
  );
}

/** Points the metric gained over the later half of the evaluations (at least the last two). */
function lateGain(t: AdvisorTask, evals: readonly AdvisorEval[]): number | undefined {
  const from = metricOf(evals[Math.min(evals.length - 2, Math.floor(evals.length / 2))]!, t);
  const to = metricOf(evals.at(-1)!, t);
  return from !== undefined && to !== undefined ? 100 * (to - from) : undefined;
}

/**
 * In a two-task run, a head lags when its dev metric is still at chance while the other head has learned,
 * or (from three evaluations on) when it still gains points late in the run while the other has levelled
 * off: the shared encoder serves the other task and this head needs more weight or more steps.
 */
function headLags(evals: readonly AdvisorEval[], recipe: AdvisorRecipe): Advice | undefined {
  for (const [lag, other] of [
    ['ner', 'classification'],
    ['classification', 'ner'],
  ] as const) {
    const [m, o] = [metricOf(evals.at(-1)!, lag), metricOf(evals.at(-1)!, other)];
    if (m === undefined || o === undefined) continue;
    const starved = atFloor(lag, evals, recipe) && o >= floorOf(other, recipe) + 0.2;
    const [gain, otherGain] = [lateGain(lag, evals), lateGain(other, evals)];
    const minGain = Math.max(2, 300 / Math.max(1, recipe.devExamples));
    const slower =
      evals.length >= 3 && gain !== undefined && otherGain !== undefined && gain >= minGain && otherGain < minGain / 4;
    if (!starved && !slower) continue;
    const w = recipe.lossWeights;
    const why = starved
      ? `its ${METRIC[lag]} is ${pct(m)}, at chance, while the ${NAME[other]} reached ${pct(o)}`
      : `its ${METRIC[lag]} still rose ${gain!.toFixed(1)} points late in the run while the ${NAME[other]}'s ` +
        `levelled off at ${pct(o)}`;
    const hint =
      w[lag] < w[other]
        ? ` Its loss weight is ${w[lag]} against ${w[other]}: raise it (e.g. to ${w[other]}).`
        : ` Raise its loss weight (e.g. to ${2 * w[lag]}) or train for more epochs.`;
    return {
      kind: 'head-lags',
      task: lag,
      metrics: { lagging: m, other: o },
      message: `The ${NAME[lag]} lags: ${why}.${hint}`,
    };
  }
  return undefined;
}

/** The metric still rose clearly at the last evaluation and the training loss is still falling. */
function stillImproving(t: AdvisorTask, evals: readonly AdvisorEval[], recipe: AdvisorRecipe): Advice | undefined {
  const a = metricOf(evals.at(-2)!, t);
  const b = metricOf(evals.at(-1)!, t);
  const la = devLossOf(evals.at(-2)!, t);
  const lb = devLossOf(evals.at(-1)!, t);
  if (a === undefined || b === undefined) return undefined;
  const gain = 100 * (b - a);
  if (gain < Math.max(1, 300 / Math.max(1, recipe.devExamples)) || (la !== undefined && lb !== undefined && lb > la))
    return undefined;
  return {
    kind: 'still-improving',
    task: t,
    gainPoints: Number(gain.toFixed(1)),
    message: `The ${NAME[t]} is still improving: ${METRIC[t]} rose ${gain.toFixed(1)} points at the last evaluation. More epochs will likely help.`,
  };
}

/**
 * Advice for a run from its curves; empty before two evaluations, or when nothing stands out. At most one
 * claim per head and kind; over-fitting and not-learning rule out "still improving" for the same head.
 */
export function adviseRun(
  steps: readonly AdvisorStep[],
  evals: readonly AdvisorEval[],
  recipe: AdvisorRecipe,
): Advice[] {
  if (evals.length < 2 || steps.length < 2) return [];
  const ordered = [...evals].sort((a, b) => a.step - b.step);
  const out: Advice[] = [];
  const lag = headLags(ordered, recipe);
  if (lag) out.push(lag);
  for (const t of tasksOf(steps)) {
    // A lagging head's advice already says what to do; "not learned" would repeat it.
    const problem =
      overFitting(t, steps, ordered, recipe) ?? (lag?.task === t ? undefined : notLearning(t, steps, ordered, recipe));
    if (lag?.task === t && !problem) continue;
    if (problem) out.push(problem);
    else {
      const more = stillImproving(t, ordered, recipe);
      if (more) out.push(more);
    }
  }
  return out;
}

/** An evaluation's metrics as the advisor reads them. */
export function advisorEval(step: number, m: EvalMetrics): AdvisorEval {
  return {
    step,
    ...(m.classification && { accuracy: m.classification.accuracy }),
    ...(m.ner && { nerF1: m.ner.f1 }),
    ...(m.loss?.classification !== undefined && { classificationLoss: m.loss.classification }),
    ...(m.loss?.ner !== undefined && { nerLoss: m.loss.ner }),
  };
}

/** The advisor's curves from a run's training events (step losses and evaluations). */
export function curvesFromEvents(events: readonly TrainEvent[]): {
  steps: AdvisorStep[];
  evals: AdvisorEval[];
} {
  const steps: AdvisorStep[] = [];
  const evals: AdvisorEval[] = [];
  for (const e of events) {
    if (e.type === 'step') steps.push({ step: e.step, ...e.losses });
    else if (e.type === 'eval') evals.push(advisorEval(e.step, e.metrics));
  }
  return { steps, evals };
}
