/**
 * Self-training (`mts pipeline --self-train N`, issue 15's "the student must beat its teacher"): round 0 is
 * the plain silver run; each round r = 1..N predicts NER spans on the same train texts with round r-1's best
 * checkpoint, makes them round r's train labels (every label weighs 1: the labeler's confidence weights no
 * longer apply) and trains a fresh model from --model (not from round r-1's weights) with the same recipe and
 * dev. Round r is the run folder <out>/round-<r>/ (round 0 included, so every round is alike); <out>/best/ and
 * <out>/metrics.json are copies of the final round's, so `mts eval|predict|export --run <out>` use the final
 * model, and <out>/pipeline.json reports every round.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabelledText } from '../../data/prepare';
import { toJsonlLine } from '../../data/export';
import type { CharSpan } from '../../data/types';
import { batchParallelism, loadBatchPredictor } from '../../engine/infer';
import { loadHfBertConfig } from '../../engine/model';
import type { Device } from '../../engine/runtime';
import type { TrainResult } from '../../engine/trainer';
import { PipelineInputError } from './read';
import { type PipelineHooks, type PipelineOptions, type PipelineResult, trainTasks } from './run-pipeline';
import { readTasks, type TaskData } from './tasks';

/** One round: where its NER train labels came from, its folder, and its best dev NER F1. */
export interface SelfTrainRound {
  readonly round: number;
  readonly outDir: string;
  readonly labels:
    | { readonly kind: 'silver'; readonly labeler: string; readonly spans: number }
    | {
        readonly kind: 'model';
        /** The best checkpoint of round - 1 that predicted them. */
        readonly checkpoint: string;
        readonly spans: number;
        readonly perType: Readonly<Record<string, number>>;
        /** Train texts the predictor refused (kept with no spans); the reasons are in the stage messages. */
        readonly failed: number;
        readonly seconds: number;
        /** The labels as span JSONL: <outDir>/train-labels.jsonl. */
        readonly file: string;
      };
  readonly status: TrainResult['status'];
  /**
   * The round's best checkpoint on the run's checkpoint metric (--select-metric, the same in every round):
   * what picks the final round. Null value when it never evaluated.
   */
  readonly score: { readonly metric: string; readonly value: number | null };
  /** The NER F1 of the round's best checkpoint on the dev; null when it never evaluated. */
  readonly nerF1: number | null;
  /** That checkpoint's dev F1 per entity type, when it evaluated. */
  readonly nerF1PerType?: Readonly<Record<string, number>>;
  /** Gold dev: 100 x (round F1 - the labeler's micro F1 on that dev). */
  readonly studentMinusLabelerPoints?: number | null;
}

export interface SelfTrainReport {
  readonly requested: number;
  readonly rounds: readonly SelfTrainRound[];
  /** The round whose model is <out>/best, and why that one. */
  readonly final: { readonly round: number; readonly reason: string };
  readonly status: 'completed' | 'cancelled';
  /** What was under way when it was cancelled ("relabelling for round 2", "training round 1"). */
  readonly cancelledDuring?: string;
  /** Where the dev F1s come from: the dev file's gold tags or the labeler's silver labels of it. */
  readonly devLabels: 'gold' | 'silver';
}

/** The final round's result (its recipe, metrics, advice, teacher comparison) plus every round's report. */
export type SelfTrainResult = PipelineResult & { readonly selfTraining: SelfTrainReport };

const fmt = (n: number): string => n.toLocaleString('en-US');
const pts = (f1: number): string => (100 * f1).toFixed(2);

/** Refuses what self-training cannot do yet, before anything is read. */
export function checkSelfTrainOptions(o: PipelineOptions): void {
  if (o.selfTrain > 0 && o.resume) {
    throw new PipelineInputError(
      `--resume with --self-train is not supported yet: each round trains a fresh model on the labels the round before it made, and only a single run can continue. Run the command again without --resume (every round starts over), or drop --self-train to resume a plain run.`,
    );
  }
}

/** Self-training relabels silver NER only: train texts without NER tags, NER not turned off. */
export function checkSelfTrainTasks(tasks: TaskData, o: PipelineOptions): 'gold' | 'silver' {
  const ner = tasks.sources.ner;
  if (ner?.kind === 'silver') return 'silver';
  if (ner?.kind === 'silver-train-gold-dev') return 'gold';
  const why =
    ner === undefined
      ? 'this run trains no NER (--no-ner, or a file without text to label)'
      : `the NER labels come from gold tags (${ner.train}), which a model's predictions would only make worse`;
  throw new PipelineInputError(
    `--self-train ${o.selfTrain} relabels silver NER (train texts without NER tags, labelled by the rules labeler) with the trained model, but ${why}. Drop --self-train, or give a --train file of texts without NER tags.`,
  );
}

/** How a round's score reads in the final-round reason ("dev NER F1", "dev accuracy", ...). */
function scoreName(metric: string): string {
  const names: Readonly<Record<string, string>> = {
    'ner.f1': 'dev NER F1',
    'classification.accuracy': 'dev accuracy',
    'classification.macroF1': 'dev macro-F1',
    'tasks.mean': 'dev mean of accuracy and NER F1',
  };
  return names[metric] ?? `dev ${metric}`;
}

/**
 * The final round: the one with the highest score on the run's checkpoint metric (the one that kept each
 * round's best checkpoint), ties to the later round. That is the last round unless a later round scored below
 * an earlier one. Cancelled rounds are not candidates.
 */
export function chooseFinalRound(
  rounds: readonly Pick<SelfTrainRound, 'round' | 'score' | 'status'>[],
): SelfTrainReport['final'] {
  const done = rounds.filter((r) => r.status !== 'cancelled');
  const last = done.at(-1);
  if (!last) {
    const r = rounds.at(-1)?.round ?? 0;
    return { round: r, reason: `round ${r} was cancelled before it finished; its best checkpoint is the only model.` };
  }
  const name = scoreName(last.score.metric);
  let best: { readonly round: number; readonly value: number } | undefined;
  for (const r of done) {
    const v = r.score.value;
    if (v !== null && (!best || v >= best.value)) best = { round: r.round, value: v };
  }
  if (!best)
    return {
      round: last.round,
      reason: `no round has a ${name}; round ${last.round}, the last finished round, is kept.`,
    };
  const trail = done.map((r) => (r.score.value === null ? 'n/a' : pts(r.score.value))).join(' -> ');
  if (best.round === last.round)
    return {
      round: last.round,
      reason: `round ${last.round} is the last ${rounds.length > done.length ? 'finished ' : ''}round and has the best ${name} (${trail}).`,
    };
  const after = best.round;
  const later = done.filter((r) => r.round > after);
  const lower = later.filter((r) => r.score.value !== null).map((r) => `round ${r.round}`);
  const why = lower.length > 0 ? `${lower.join(', ')} scored lower` : `the later rounds have no ${name}`;
  return {
    round: best.round,
    reason: `round ${best.round} has the best ${name} and ${why} (${trail}), so the best round is kept, not the last.`,
  };
}

/** The best checkpoint's NER F1 (as the teacher comparison reads it). */
function nerF1(best: TrainResult['best']): number | null {
  return best.metric === 'ner.f1' ? best.value : (best.metrics?.ner?.f1 ?? null);
}

const DEVICES: readonly Device[] = ['cpu', 'cuda', 'webgpu', 'dml', 'coreml'];
// Relabel where the run trained (its measured pick under --device auto); the CPU when that is unknown.
function predictDevice(o: PipelineOptions, used: string): Device | undefined {
  const d = o.device !== 'auto' ? o.device : used;
  return DEVICES.find((x) => x === d);
}

const CHUNK = 256;

/**
 * The train texts with the NER spans `checkpoint` predicts on them (trained types only, no weights), in
 * chunks so a cancel stops between two; null when cancelled.
 */
async function relabel(
  items: readonly LabelledText[],
  checkpoint: string,
  o: PipelineOptions,
  device: Device | undefined,
  types: readonly string[],
  hooks: PipelineHooks & { readonly say: (message: string) => void },
): Promise<{ items: LabelledText[]; perType: Record<string, number>; failed: number } | null> {
  const loaded = await loadBatchPredictor(checkpoint, {
    batchSize: 64,
    // Training truncates at maxLength; a model with fewer positions is read in windows of its own size.
    maxLength: Math.min(o.maxLength, loadHfBertConfig(checkpoint).dims.maxPositions),
    ...batchParallelism(items.length, 64, {
      ...(o.threads !== undefined && { threads: o.threads }),
      ...(device && { device }),
    }),
  });
  const keep = new Set(types);
  const perType: Record<string, number> = {};
  const out: LabelledText[] = [];
  let failed = 0;
  let said = performance.now();
  const t0 = said;
  try {
    for (let i = 0; i < items.length; i += CHUNK) {
      if (hooks.signal?.aborted) return null;
      const chunk = items.slice(i, i + CHUNK);
      const predicted = await loaded.predictor.predict(chunk.map((e) => e.text));
      chunk.forEach((e, j) => {
        const p = predicted[j]!;
        const spans: CharSpan[] = [];
        if (p.ok) {
          for (const s of p.entities) {
            if (!keep.has(s.type)) continue;
            spans.push({ start: s.start, end: s.end, type: s.type });
            perType[s.type] = (perType[s.type] ?? 0) + 1;
          }
        } else if (failed++ < 3) hooks.say(`could not relabel train text ${i + j + 1}: ${p.error.message}`);
        const { nerWeights: _weights, spans: _spans, ...rest } = e;
        out.push({ ...rest, spans });
      });
      if (performance.now() - said > 10_000 && out.length < items.length) {
        said = performance.now();
        const s = (said - t0) / 1000;
        hooks.say(`relabelled ${fmt(out.length)} of ${fmt(items.length)} texts (${Math.round(s)} s)`);
      }
    }
  } finally {
    await loaded.release();
  }
  return { items: out, perType, failed };
}

/** The round's summary line for the report. */
function roundOf(round: number, r: PipelineResult, labels: SelfTrainRound['labels']): SelfTrainRound {
  const ner = r.train.best.metrics?.ner;
  return {
    round,
    outDir: r.outDir,
    labels,
    status: r.train.status,
    score: { metric: r.train.best.metric, value: r.train.best.value },
    nerF1: nerF1(r.train.best),
    ...(ner && { nerF1PerType: Object.fromEntries(ner.perType.map((t) => [t.type, t.f1])) }),
    ...(r.teacher && { studentMinusLabelerPoints: r.teacher.studentMinusLabelerPoints }),
  };
}

/** `mts pipeline --self-train N`: the silver run, then N relabel-and-retrain rounds; see the file comment. */
export async function runSelfTraining(o: PipelineOptions, hooks: PipelineHooks = {}): Promise<SelfTrainResult> {
  if (o.selfTrain < 1) throw new PipelineInputError(`runSelfTraining needs selfTrain >= 1, got ${o.selfTrain}.`);
  checkSelfTrainOptions(o);
  loadHfBertConfig(o.model);
  const emit = hooks.onEvent ?? (() => undefined);
  const say = (message: string): void => emit({ type: 'stage', stage: 'self-train', message });
  const tasks = await readTasks(o, (stage, message) => emit({ type: 'stage', stage, message }));
  const devLabels = checkSelfTrainTasks(tasks, o);
  const outDir = resolve(o.out);
  mkdirSync(outDir, { recursive: true });
  const n = o.selfTrain;
  const dirOf = (r: number): string => join(outDir, `round-${r}`);

  say(`self-training round 0 of ${n}: training on the silver labels (${tasks.silver?.labeler}) in ${dirOf(0)}`);
  // Round 0 is a plain silver run: its folder records selfTrain 0, so it can be exported or resumed as one.
  let last = await trainTasks(tasks, { ...o, out: dirOf(0), selfTrain: 0 }, hooks);
  const results = [last];
  const rounds = [
    roundOf(0, last, { kind: 'silver', labeler: tasks.silver?.labeler ?? '', spans: tasks.silver?.spans ?? 0 }),
  ];
  let cancelledDuring: string | undefined = last.train.status === 'cancelled' ? 'training round 0' : undefined;

  for (let r = 1; r <= n && !cancelledDuring; r++) {
    const checkpoint = last.train.bestCheckpoint;
    if (checkpoint === null) {
      say(
        `round ${r - 1} saved no best checkpoint (it never evaluated), so there is no model to relabel with; stopping.`,
      );
      break;
    }
    say(
      `self-training round ${r} of ${n}: relabelling ${fmt(tasks.mainTrain.length)} texts with round ${r - 1}'s model`,
    );
    const t0 = performance.now();
    const device = predictDevice(o, last.train.device.used);
    const relabelled = await relabel(tasks.mainTrain, checkpoint, o, device, tasks.nerTypes, { ...hooks, say });
    if (relabelled === null) {
      cancelledDuring = `relabelling for round ${r}`;
      break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const spans = Object.values(relabelled.perType).reduce((a, b) => a + b, 0);
    const dir = dirOf(r);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'train-labels.jsonl');
    writeFileSync(file, relabelled.items.map((e) => `${toJsonlLine(e)}\n`).join(''));
    const types = Object.entries(relabelled.perType).map(([t, k]) => `${t} ${fmt(k)}`);
    say(
      `self-training round ${r} of ${n}: round ${r - 1}'s model predicted ${fmt(spans)} spans (${types.join(', ') || 'none'}) in ${Math.round(seconds)} s; they replace the train labels, each weighing 1 (the labeler's confidence weights no longer apply); training a fresh model from ${o.model} in ${dir}`,
    );
    if (spans === 0)
      emit({
        type: 'warning',
        message: `round ${r - 1}'s model predicted no entity on the ${fmt(tasks.mainTrain.length)} train texts, so round ${r} learns only O; train round 0 longer (more epochs or data) before self-training.`,
      });
    const { silver: _silver, ...rest } = tasks;
    const roundTasks: TaskData = {
      ...rest,
      mainTrain: relabelled.items,
      sources: {
        ...tasks.sources,
        ner: { kind: 'self-trained', round: r, checkpoint, train: o.train!, dev: o.dev!, devLabels },
      },
    };
    last = await trainTasks(roundTasks, { ...o, out: dir }, hooks);
    results.push(last);
    const { failed, perType } = relabelled;
    rounds.push(roundOf(r, last, { kind: 'model', checkpoint, spans, perType, failed, seconds, file }));
    if (last.train.status === 'cancelled') cancelledDuring = `training round ${r}`;
  }

  const final = chooseFinalRound(rounds);
  const chosen = results[final.round]!;
  say(`final model: ${final.reason}`);
  publishFinal(chosen, outDir);
  const report: SelfTrainReport = {
    requested: n,
    rounds,
    final,
    status: cancelledDuring ? 'cancelled' : 'completed',
    ...(cancelledDuring && { cancelledDuring }),
    devLabels,
  };
  const result: SelfTrainResult = { ...chosen, outDir, selfTraining: report };
  const options = { ...o, lr: chosen.recipe.lr, epochs: chosen.recipe.epochs };
  writeFileSync(join(outDir, 'pipeline.json'), JSON.stringify({ options, ...result, train: undefined }, null, 2));
  return result;
}

// <out>/best and <out>/metrics.json become the final round's, so commands given --run <out> use its model.
function publishFinal(chosen: PipelineResult, outDir: string): void {
  const best = chosen.train.bestCheckpoint;
  // Whatever an earlier run left at <out> goes, so nothing there can pass for the final round's.
  rmSync(join(outDir, 'best'), { recursive: true, force: true });
  rmSync(join(outDir, 'metrics.json'), { force: true });
  if (best !== null) cpSync(best, join(outDir, 'best'), { recursive: true });
  const metrics = join(chosen.outDir, 'metrics.json');
  if (existsSync(metrics)) cpSync(metrics, join(outDir, 'metrics.json'));
}

/** The rounds as the CLI prints them: labels, dev NER F1 (and the difference to the labeler), the final pick. */
export function formatSelfTraining(s: SelfTrainReport): string {
  const lines = [
    `Self-training (${s.requested} round${s.requested === 1 ? '' : 's'} after the silver run; dev NER F1 on the dev's ${s.devLabels} labels):`,
  ];
  for (const r of s.rounds) {
    const labels =
      r.labels.kind === 'silver'
        ? `silver labels (${r.labels.labeler}, ${fmt(r.labels.spans)} spans)`
        : `round ${r.round - 1}'s predictions (${fmt(r.labels.spans)} spans${r.labels.failed ? `, ${r.labels.failed} texts not relabelled` : ''})`;
    const types = Object.entries(r.nerF1PerType ?? {}).map(([t, f]) => `${t} ${(100 * f).toFixed(1)}`);
    const f1 = r.nerF1 === null ? 'n/a' : `${pts(r.nerF1)}${types.length > 0 ? ` (${types.join(', ')})` : ''}`;
    const d = r.studentMinusLabelerPoints;
    const vs = d === undefined || d === null ? '' : `, ${d >= 0 ? '+' : ''}${d.toFixed(2)} points vs the labeler`;
    const status = r.status === 'completed' ? '' : ` [${r.status}]`;
    lines.push(`  round ${r.round}: ${labels}: F1 ${f1}${vs}${status}  ${r.outDir}`);
  }
  if (s.cancelledDuring) lines.push(`  Cancelled while ${s.cancelledDuring}.`);
  lines.push(`Final: ${s.final.reason}`);
  return lines.join('\n');
}
