/**
 * bench:train `--frozen-epochs`: heads-only training, whole runs as a user waits for them. AG News (18,400
 * train / 2,000 dev, silver NER: multi-task) prepared as the quality part prepares it, `--epochs` epochs (2)
 * on the trainer's batch plan, dev evaluation after each epoch, three runs one after another:
 *   - ours with the feature cache (the encoder runs once; its computation counted in the wall time),
 *   - ours without it (the encoder runs every step, with its dropout): the quality reference,
 *   - PyTorch heads-only (train_torch_ref.py --train --preset heads-only) on the same batches.
 * Each run is its own process (ours: this file as the entry), so peak RSS (VmHWM) is each run's own; ours
 * counts the cache's pages only as far as the process touches them (positioned reads, no mapping).
 * frozenEpochRatio = PyTorch wall seconds / ours cached wall seconds (target >= 3.0), with our cached dev
 * accuracy within 0.3 points of our uncached one and our peak RSS <= PyTorch's.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrainerModel, train, type TrainExample } from '../../src-main/engine/trainer';
import { log, MODEL, PYTHON, ROOT, round, TORCH_SCRIPT, type TrainBenchOptions } from './options';
import { type BatchFile, prepareAgNews, sampleSize, trainerPlan, writeBatchFile } from './prepare';
import { procStatus } from './serve-ort';

const HEADS_ONLY_LR = 2e-3;

/** What one of our runs reports back. */
interface OursRun {
  readonly wallSeconds: number;
  readonly history: readonly { readonly accuracy?: number; readonly nerF1?: number }[];
  readonly messages: readonly string[];
  readonly vmHWMKiB: number;
}

/** Runs the three heads-only trainings and returns the comparison (frozenEpochRatio is the summary field). */
export async function runFrozenEpochs(o: TrainBenchOptions, dir: string, withTorch: boolean) {
  const p = await prepareAgNews(sampleSize(18400, o), o.devLimit, o);
  const plans = Array.from({ length: o.epochs }, (_, e) => trainerPlan(p.train, e, o));
  const file = join(dir, 'frozen.json');
  // The heads-only recipe's learning rate (services/train/recipe.ts), on both sides.
  writeBatchFile(file, p, plans, o.seed, o.dropout, HEADS_ONLY_LR);
  const cached = await oursChild(file, dir, 'on', o);
  log(`frozen-epochs ours cached: ${cached.wallSeconds} s, ${JSON.stringify(cached.history.at(-1))}`);
  const uncached = await oursChild(file, dir, 'off', o);
  log(`frozen-epochs ours uncached: ${uncached.wallSeconds} s, ${JSON.stringify(uncached.history.at(-1))}`);
  const torch = withTorch ? await torchRun(file, dir, o) : undefined;
  if (torch) log(`frozen-epochs torch: ${round(torch.wallSeconds)} s, ${JSON.stringify(torch.history.at(-1))}`);
  const acc = (h: OursRun['history'] | undefined): number | undefined => h?.at(-1)?.accuracy;
  const points = (a: number | undefined, b: number | undefined): number | null =>
    a !== undefined && b !== undefined ? round(100 * (a - b), 2) : null;
  const mib = (kib: number): number => Math.round(kib / 1024);
  const accuracyDeltaPoints = points(acc(cached.history), acc(uncached.history));
  const frozenEpochRatio = torch ? round(torch.wallSeconds / cached.wallSeconds, 2) : null;
  return {
    train: p.train.length,
    dev: p.dev.length,
    epochs: o.epochs,
    stepsPerEpoch: plans[0]!.length,
    ours: { ...cached, peakRssMiB: mib(cached.vmHWMKiB) },
    oursUncached: { ...uncached, peakRssMiB: mib(uncached.vmHWMKiB) },
    torch: torch
      ? { wallSeconds: round(torch.wallSeconds), history: torch.history, peakRssMiB: mib(torch.vmHWMKiB) }
      : 'skipped',
    frozenEpochRatio,
    cacheSpeedupOverUncached: round(uncached.wallSeconds / cached.wallSeconds, 2),
    accuracyDeltaPoints,
    accuracyVsTorchPoints: points(acc(cached.history), acc(torch?.history)),
    rssRatioOursOverTorch: torch ? round(cached.vmHWMKiB / torch.vmHWMKiB, 2) : null,
    targets: {
      frozenEpochRatio: '>= 3.0',
      accuracyDeltaPoints: '|x| <= 0.3 (cached vs our uncached)',
      rss: 'ours <= PyTorch peak RSS',
    },
    met: {
      ratio: frozenEpochRatio !== null && frozenEpochRatio >= 3,
      accuracy: accuracyDeltaPoints !== null && Math.abs(accuracyDeltaPoints) <= 0.3,
      rss: torch ? cached.vmHWMKiB <= torch.vmHWMKiB : null,
    },
  };
}

async function oursChild(file: string, dir: string, cache: 'on' | 'off', o: TrainBenchOptions): Promise<OursRun> {
  const out = join(dir, `frozen-ours-${cache}.json`);
  const batching = {
    batchSize: o.batchSize,
    bucketBatches: o.bucketBatches,
    nerBatching: o.nerBatching,
    maxLength: o.maxLength,
  };
  const args = [
    file,
    join(dir, `frozen-run-${cache}`),
    cache,
    String(o.threads),
    String(o.seed),
    out,
    JSON.stringify(batching),
  ];
  await exitOk(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], `our ${cache} run`);
  return JSON.parse(readFileSync(out, 'utf8')) as OursRun;
}

async function torchRun(file: string, dir: string, o: TrainBenchOptions) {
  const out = join(dir, 'frozen-torch.json');
  const argv = [TORCH_SCRIPT, '--train', file, '--out', out, '--preset', 'heads-only'];
  argv.push('--threads', String(o.threads), '--attn', o.torchAttn, '--seed', String(o.seed));
  await exitOk(PYTHON, argv, 'train_torch_ref.py --preset heads-only');
  return JSON.parse(readFileSync(out, 'utf8')) as {
    wallSeconds: number;
    history: { accuracy?: number; nerF1?: number }[];
    vmHWMKiB: number;
  };
}

async function exitOk(command: string, argv: readonly string[], what: string): Promise<void> {
  const proc = spawn(command, argv, { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`${what} exited with ${code}; run it by hand to see why.`);
}

/** The child: one heads-only train() over the batch file's data; writes its wall time, history and VmHWM. */
async function child(argv: readonly string[]): Promise<void> {
  const [file, outDir, cache, threads, seed, out, batching] = argv as [
    string,
    string,
    'on' | 'off',
    string,
    string,
    string,
    string,
  ];
  const spec = JSON.parse(readFileSync(file, 'utf8')) as BatchFile;
  const ex = (e: BatchFile['train'][number]): TrainExample => ({
    ids: e.ids,
    classLabel: e.cls,
    ...(e.ner && { nerLabels: e.ner }),
  });
  const data = {
    train: spec.train.map(ex),
    dev: spec.dev.map(ex),
    classLabels: spec.classLabels,
    nerTags: spec.nerTags,
  };
  const model = loadTrainerModel(MODEL, spec.classLabels, spec.nerTags, Number(seed));
  const rate = spec.recipe.dropout;
  const messages: string[] = [];
  const t0 = performance.now();
  const res = await train(
    model,
    data,
    {
      freeze: { preset: 'heads-only' },
      epochs: spec.epochs.length,
      lr: spec.recipe.lr,
      seed: Number(seed),
      threads: Number(threads),
      device: 'cpu',
      dropout: { hidden: rate, attention: rate, head: rate },
      featureCache: cache,
      ...(JSON.parse(batching) as {
        batchSize: number;
        bucketBatches: number;
        nerBatching: 'tokens' | 'examples';
        maxLength: number;
      }),
    },
    {
      outDir,
      consumeModelWeights: true,
      onEvent: (e) => {
        if (e.type === 'message') messages.push(e.message);
      },
    },
  );
  const wallSeconds = round((performance.now() - t0) / 1000, 2);
  const history = res.history.map((h) => ({ accuracy: h.metrics.classification?.accuracy, nerF1: h.metrics.ner?.f1 }));
  writeFileSync(out, JSON.stringify({ wallSeconds, history, messages, vmHWMKiB: procStatus().vmHWMKiB }));
}

if (process.argv[1] === import.meta.filename) await child(process.argv.slice(2));
