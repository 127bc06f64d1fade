/**
 * bench:train's quality part (opt-in, long): the real trainer (`train()`) and PyTorch
 * (`train_torch_ref.py --train`) on the trainer's batch plan, dev metrics per epoch, for AG News multi-task
 * and classification-only (`--quality`) and CoNLL-2003 NER (`--conll`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrainerModel, parseTrainerConfig, train, type TrainerConfigInput } from '../../src-main/engine/trainer';
import { log, MODEL, PYTHON, round, TORCH_SCRIPT, type TrainBenchOptions, fullRunConfig } from './options';
import { perSeed } from './seeds';
import { fileHash, jsonHash, recorded } from './record';
import {
  classificationOnly,
  prepareAgNews,
  prepareConll,
  type Prepared,
  sampleSize,
  trainerPlan,
  writeBatchFile,
} from './prepare';

/** Trains ours (the real trainer) and PyTorch on the trainer's batch plan; dev metrics per epoch. */
async function quality(name: string, p: Prepared, dir: string, withTorch: boolean, o: TrainBenchOptions) {
  const { epochs } = o;
  const { file, plans, key } = batchFile(name, p, dir, o);
  const { ours, losses } = await oursFor(name, p, dir, o, key);
  const torch = withTorch
    ? await recorded(o.record, `${name}-torch`, { ...key, side: 'torch', attn: o.torchAttn }, () =>
        trainTorch(file, dir, name, o),
      )
    : undefined;
  // Logged as it lands so a multi-seed run that is stopped early still leaves each finished side's metrics.
  if (torch) log(`${name} torch: ${JSON.stringify(torch.history.at(-1))}`);
  const last = (
    h: readonly { accuracy?: number; nerF1?: number }[] | undefined,
    k: 'accuracy' | 'nerF1',
  ): number | undefined => h?.at(-1)?.[k];
  const points = (a: number | undefined, b: number | undefined): number | null =>
    a !== undefined && b !== undefined ? round(100 * (a - b), 2) : null;
  return {
    train: p.train.length,
    dev: p.dev.length,
    epochs,
    stepsPerEpoch: plans[0]!.length,
    ours,
    torch: torch
      ? {
          samplesPerSec: round(torch.samplesPerSec, 2),
          attn: torch.attn,
          peakRssMiB: Math.round(torch.vmHWMKiB / 1024),
          history: torch.history,
        }
      : 'skipped',
    // Not interleaved: the samples/s here are informational; the speed part is the fair comparison.
    lossCurve: torch ? lossCurve(losses, torch.losses) : 'skipped',
    accuracyDiffPoints: points(last(ours.history, 'accuracy'), last(torch?.history, 'accuracy')),
    nerF1DiffPoints: points(last(ours.history, 'nerF1'), last(torch?.history, 'nerF1')),
  };
}

/**
 * The batch file both sides read (data, plan, seed, dropout) and the key of a recorded side (--record): the
 * file's hash, the trainer config, and the NER token weights the file does not carry (only when there are any,
 * so records of unweighted data keep their key).
 */
function batchFile(name: string, p: Prepared, dir: string, o: TrainBenchOptions, extra: TrainerOverrides = {}) {
  const plans = Array.from({ length: o.epochs }, (_, e) => trainerPlan(p.train, e, o));
  const file = join(dir, `${name}.json`);
  writeBatchFile(file, p, plans, o.seed, o.dropout);
  const weighted = p.train.some((e) => e.nerWeights !== undefined);
  const nerWeights = weighted ? jsonHash(p.train.map((e) => e.nerWeights ?? null)) : undefined;
  return { file, plans, key: { batches: fileHash(file), config: { ...fullRunConfig(o), ...extra }, nerWeights } };
}

/** Trainer settings a variant adds to the bench's full-run config (task weighting, loss weights). */
export type TrainerOverrides = Partial<Pick<TrainerConfigInput, 'taskWeighting' | 'lossWeights'>>;

/**
 * Our side of variant `name` (trained, or its --record): lazy-quality's dense run and multitask-free's `fixed`
 * and `cls-only` ask for the same label and key as the quality runs of their seed, so one training serves all.
 */
export function recordedOurs(
  name: string,
  p: Prepared,
  dir: string,
  o: TrainBenchOptions,
  extra: TrainerOverrides = {},
) {
  return oursFor(name, p, dir, o, batchFile(name, p, dir, o, extra).key, extra);
}

async function oursFor(
  name: string,
  p: Prepared,
  dir: string,
  o: TrainBenchOptions,
  key: object,
  extra: TrainerOverrides = {},
) {
  const run = await recorded(
    o.record,
    `${name}-ours`,
    { ...key, side: 'ours' },
    () => trainOurs(name, p, dir, o, extra),
    {
      settings: parseTrainerConfig({ ...fullRunConfig(o), ...extra }),
      replay: {
        steps: o.replaySteps,
        lossesOf: (r) => r.losses,
        run: async (steps) => (await trainOurs(`${name}-replay`, p, dir, o, extra, steps)).losses,
      },
    },
  );
  log(`${name} ours: ${JSON.stringify(run.ours.history.at(-1))}`);
  return run;
}

/**
 * Our side: the real trainer on the plan, its dev metrics per epoch and its per-step losses. `stopAfter` steps
 * (a --record replay) cancels the run there, before any evaluation.
 */
async function trainOurs(
  name: string,
  p: Prepared,
  dir: string,
  o: TrainBenchOptions,
  extra: TrainerOverrides,
  stopAfter = 0,
) {
  const model = loadTrainerModel(MODEL, p.classLabels, p.nerTags, o.seed);
  let samplesPerSec = 0;
  const losses: number[] = [];
  const signal = { aborted: false };
  const t0 = performance.now();
  const res = await train(
    model,
    p,
    { ...fullRunConfig(o), ...extra },
    {
      // Its own folder: without --record, quality's and multitask-free's run of one label both train.
      outDir: mkdtempSync(join(dir, `${name}-run-`)),
      consumeModelWeights: true,
      // Resume checkpoints cost time and a bench run is never resumed.
      checkpointEverySec: 0,
      signal,
      onEvent: (e) => {
        if (e.type !== 'step') return;
        losses.push(e.losses.total);
        samplesPerSec = e.samplesPerSec;
        if (stopAfter > 0 && e.step >= stopAfter) signal.aborted = true;
        if (e.step % 50 === 0)
          log(
            `${name} ours step ${e.step}/${e.totalSteps} loss ${round(e.losses.total, 4)} ${round(samplesPerSec)} samples/s`,
          );
      },
    },
  );
  const ours = {
    seconds: round((performance.now() - t0) / 1000),
    samplesPerSec: round(samplesPerSec, 2),
    steps: res.steps,
    history: res.history.map((h) => ({
      epoch: h.epoch,
      step: h.step,
      accuracy: h.metrics.classification?.accuracy,
      nerF1: h.metrics.ner?.f1,
    })),
    ...(res.taskWeights && { taskWeights: res.taskWeights }),
  };
  return { ours, losses };
}

interface TorchResult {
  readonly samplesPerSec: number;
  readonly history: { accuracy?: number; nerF1?: number }[];
  readonly attn: string;
  readonly vmHWMKiB: number;
  readonly losses: number[];
}

/** PyTorch's side: train_torch_ref.py --train on the same batch file. */
async function trainTorch(file: string, dir: string, name: string, o: TrainBenchOptions): Promise<TorchResult> {
  const out = join(dir, `${name}-torch.json`);
  const args = [TORCH_SCRIPT, '--train', file, '--out', out, '--threads', String(o.threads)];
  args.push('--attn', o.torchAttn, '--seed', String(o.seed));
  const proc = spawn(PYTHON, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`train_torch_ref.py --train ${file} exited with ${code}; run it by hand to see why.`);
  return JSON.parse(readFileSync(out, 'utf8')) as TorchResult;
}

/**
 * How far our per-step training losses are from PyTorch's on the same batches: relative difference at a few
 * steps and the largest over the first 10. With dropout 0 both sides compute the same function, so the
 * curves may only drift apart by float rounding amplified through training.
 */
function lossCurve(ours: readonly number[], torch: readonly number[]) {
  const n = Math.min(ours.length, torch.length);
  const rel = (i: number): number => Math.abs(ours[i]! - torch[i]!) / Math.max(1e-12, Math.abs(torch[i]!));
  const at = (step: number): number | null => (step <= n ? Number(rel(step - 1).toExponential(2)) : null);
  const first = Array.from({ length: Math.min(10, n) }, (_, i) => rel(i));
  const mean = (xs: readonly number[], a: number, b: number): number =>
    xs.slice(a, b).reduce((s, x) => s + x, 0) / Math.max(1, Math.min(b, xs.length) - a);
  return {
    steps: n,
    relDiffAtStep: { 1: at(1), 2: at(2), 10: at(10), 50: at(50), 100: at(100) },
    maxRelDiffFirst10: Number(Math.max(0, ...first).toExponential(2)),
    // Mean loss over the last 10 % of steps, each side: a drift in level shows here.
    lastTenthMeanLoss: {
      ours: round(mean(ours, Math.floor(n * 0.9), n), 4),
      torch: round(mean(torch, Math.floor(n * 0.9), n), 4),
    },
  };
}

/** What ran: the sample and epochs; `full` only for all of train and 2 epochs. */
function variant(o: TrainBenchOptions, trainExamples: number) {
  const v = { fraction: o.fraction, limit: o.limit, devLimit: o.devLimit, epochs: o.epochs };
  return { ...v, trainExamples, full: v.fraction === 1 && v.limit === 0 && v.epochs === 2 };
}

/** The report's `quality` part: AG News multi-task (silver NER) and classification-only, once per seed. */
export async function runQuality(o: TrainBenchOptions, dir: string, withTorch: boolean) {
  const ag = await prepareAgNews(sampleSize(18400, o), o.devLimit, o);
  return {
    variant: variant(o, ag.train.length),
    ...(await perSeed(o, async (so) => ({
      multitask: await quality(`multitask-${so.seed}`, ag, dir, withTorch, so),
      classificationOnly: await quality(
        `cls-only-${so.seed}`,
        classificationOnly(ag),
        dir,
        withTorch && !o.noTorchClsOnly,
        so,
      ),
    }))),
  };
}

/** The report's `conll` part: NER only on CoNLL-2003 train, entity F1 on valid, once per seed. */
export async function runConll(o: TrainBenchOptions, dir: string, withTorch: boolean) {
  const conll = await prepareConll(sampleSize(14041, o), o.devLimit, o);
  return {
    variant: variant(o, conll.train.length),
    ...(await perSeed(o, async (so) => ({ ner: await quality(`conll-${so.seed}`, conll, dir, withTorch, so) }))),
  };
}
