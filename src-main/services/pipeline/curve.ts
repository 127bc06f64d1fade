/**
 * A learning curve: the same recipe trained on growing shares of the training data (25/50/75/100 % by
 * default: nested prefixes of one seeded shuffle, so each share contains the smaller ones) and the dev
 * metrics of each, so a user sees whether labelling more data still pays.
 */
import { join, resolve } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { LabelledText } from '../../data/prepare';
import { loadHfBertConfig } from '../../engine/model';
import { nestedShare, shareName, sharePercent } from '../curves/shares';
import { PipelineInputError } from './read';
import { type PipelineHooks, type PipelineOptions, trainTasks } from './run-pipeline';
import { readTasks, type TaskData } from './tasks';

export const DEFAULT_FRACTIONS: readonly number[] = [0.25, 0.5, 0.75, 1];

/** One point of the curve: the share trained on and the best dev metrics it reached. */
export interface CurvePoint {
  readonly fraction: number;
  readonly trainExamples: number;
  readonly accuracy: number | null;
  readonly nerF1: number | null;
  readonly steps: number;
  readonly seconds: number;
  readonly outDir: string;
  /** Silver NER scored on a gold dev: this share's entity F1 minus the labeler's, in points (teacher-score.ts). */
  readonly vsLabelerPoints?: number | null;
}

export interface CurveResult {
  /** 'cancelled': stopped (Ctrl+C) during a share; `points` holds the shares that finished before it. */
  readonly status: 'completed' | 'cancelled';
  readonly outDir: string;
  readonly points: readonly CurvePoint[];
  /** Dev examples every share is evaluated on (the verdict's noise floor); null when nothing trained. */
  readonly devExamples: number | null;
  /** Points gained from the second-largest share to the full data, per task (null: task not trained). */
  readonly lastGainPoints: { readonly accuracy: number | null; readonly nerF1: number | null };
  /** Silver NER on a gold dev: the labeler that taught every share, and its entity F1 on that dev. */
  readonly labeler?: { readonly id: string; readonly f1: number };
}

/** Nested seeded subsets, stratified by class (nestedShare): fraction f keeps about f of each class's texts. */
export function shareOf(tasks: TaskData, fraction: number, seed: number): TaskData {
  const take = (items: readonly LabelledText[], salt: number): LabelledText[] =>
    nestedShare(items, fraction, seed, salt, (e) => e.label ?? '');
  return { ...tasks, mainTrain: take(tasks.mainTrain, 1), nerTrain: take(tasks.nerTrain, 2) };
}

/** Refuses shares too small to train on (fewer texts than one batch, or a class missing), with the numbers. */
export function checkShares(tasks: TaskData, fractions: readonly number[], batchSize: number, seed: number): void {
  const problems: string[] = [];
  for (const f of fractions) {
    const s = shareOf(tasks, f, seed);
    const n = s.mainTrain.length + s.nerTrain.length;
    const share = shareName(f);
    if (n < batchSize) {
      problems.push(`${share} of the training data is ${n} texts, fewer than one batch of ${batchSize}`);
      continue;
    }
    if (tasks.classLabels.length > 0) {
      const present = new Set(s.mainTrain.map((e) => e.label).filter((l) => l !== undefined));
      const missing = tasks.classLabels.filter((c) => !present.has(c));
      if (missing.length > 0)
        problems.push(
          `${share} (${n} texts) has no example of class ${missing.map((c) => `"${c}"`).join(', ')} (it has ${present.size} of ${tasks.classLabels.length} classes)`,
        );
    }
  }
  if (problems.length > 0)
    throw new PipelineInputError(
      `the learning curve cannot train every share: ${problems.join('; ')}. Use larger fractions (--fractions), more data, or a smaller --batch-size.`,
    );
}

/** Trains the recipe on each share of the training data and collects the dev metrics of each. */
export async function learningCurve(
  o: PipelineOptions,
  fractions: readonly number[] = DEFAULT_FRACTIONS,
  hooks: PipelineHooks & { readonly onPoint?: (p: CurvePoint) => void } = {},
): Promise<CurveResult> {
  const bad = fractions.filter((f) => !(f > 0 && f <= 1));
  if (bad.length > 0 || fractions.length === 0)
    throw new PipelineInputError(`fractions must lie in (0, 1], got ${fractions.join(', ') || 'none'}.`);
  if (o.selfTrain > 0)
    throw new PipelineInputError(
      `--self-train ${o.selfTrain} is not supported by the learning curve (each share would need its own rounds); drop --self-train, or run \`mts pipeline --self-train ${o.selfTrain}\` on the full data.`,
    );
  loadHfBertConfig(o.model);
  const tasks = await readTasks(o, (stage, message) => hooks.onEvent?.({ type: 'stage', stage, message }));
  const sorted = [...new Set(fractions)].sort((a, b) => a - b);
  checkShares(tasks, sorted, o.batchSize, o.seed);
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const points: CurvePoint[] = [];
  let devExamples: number | null = null;
  let status: CurveResult['status'] = 'completed';
  for (const f of sorted) {
    if (hooks.signal?.aborted) {
      status = 'cancelled';
      break;
    }
    const share = shareOf(tasks, f, o.seed);
    const dir = join(outDir, `share-${sharePercent(f)}`);
    let r: Awaited<ReturnType<typeof trainTasks>>;
    try {
      r = await trainTasks(share, { ...o, out: dir }, hooks);
    } catch (err) {
      // The finished shares stay usable (mts curve's file, the app's import): curve.json says where it failed.
      const error = `the ${shareName(f)} share failed: ${err instanceof Error ? err.message : String(err)}`;
      writeCurveFile(outDir, o, sorted, { ...summary(points, devExamples, tasks), status: 'failed', error });
      throw err;
    }
    // A share stopped part-way is not a point: its best-so-far would read as that size's result.
    if (r.train.status === 'cancelled') {
      status = 'cancelled';
      break;
    }
    const best = r.train.best.metrics;
    devExamples = r.data.dev;
    const point: CurvePoint = {
      fraction: f,
      trainExamples: r.data.train,
      accuracy: best?.classification?.accuracy ?? null,
      nerF1: best?.ner?.f1 ?? null,
      steps: r.train.steps,
      seconds: r.train.seconds,
      outDir: dir,
      ...(r.teacher && { vsLabelerPoints: r.teacher.studentMinusLabelerPoints }),
    };
    points.push(point);
    hooks.onPoint?.(point);
  }
  const result: CurveResult = { status, outDir, ...summary(points, devExamples, tasks) };
  writeCurveFile(outDir, o, sorted, result);
  return result;
}

/** The points and what is read from them: the last gain per task, and the labeler's score when there is one. */
function summary(points: readonly CurvePoint[], devExamples: number | null, tasks: TaskData) {
  const gain = (k: 'accuracy' | 'nerF1'): number | null => {
    const [a, b] = [points.at(-2)?.[k], points.at(-1)?.[k]];
    return a !== undefined && a !== null && b !== undefined && b !== null ? Number((100 * (b - a)).toFixed(2)) : null;
  };
  return {
    points: [...points],
    devExamples,
    lastGainPoints: { accuracy: gain('accuracy'), nerF1: gain('nerF1') },
    ...(tasks.teacher && { labeler: { id: tasks.teacher.labeler, f1: tasks.teacher.scores.micro.f1 } }),
  };
}

/** --out/curve.json: the options, the shares asked for, and the result ('failed' with its error when a share threw). */
function writeCurveFile(
  outDir: string,
  o: PipelineOptions,
  fractions: readonly number[],
  result: Omit<CurveResult, 'status' | 'outDir'> & {
    readonly status: CurveResult['status'] | 'failed';
    readonly error?: string;
  },
): void {
  writeFileSync(join(outDir, 'curve.json'), JSON.stringify({ options: o, fractions, outDir, ...result }, null, 2));
}
