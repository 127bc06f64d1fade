/**
 * `npm run bench:train -- --json`: fine-tuning all-MiniLM-L6-v2 on AG News with silver NER (multi-task),
 * batch 32, max length 128, CPU EP, 2 threads, against PyTorch 2.13 eager (scripts/ref/train_torch_ref.py)
 * on the SAME batches, which this file writes to a temp JSON file that both sides read.
 *
 * Speed (default): for each preset (full, heads-only) our steps run in a child process (`--serve-ort`, the
 * trainer's own step path: trainingFeeds + TrainingSession.trainStep) and PyTorch's in another; rounds of
 * `--per-round` steps alternate between them, so both see the same machine load. Samples/s = samples / time
 * over the measured batches; peak RSS = VmHWM of each step process.
 * Quality (opt-in, long): `--quality` trains `full` for `--epochs` through the real trainer (train()) and
 * PyTorch on the trainer's own batch plan, multi-task and classification-only; `--conll` NER on CoNLL-2003.
 * `--fraction F` / `--limit N` train on a seeded sample (the JSON says which variant ran).
 *
 * Options: --steps 30 --warmup 3 --per-round 5 --presets full,heads-only --threads 2 --batch 32
 *          --max-length 128 --torch-attn eager|sdpa --no-torch --quality --conll --epochs 2 --fraction 1
 *          --limit 0 --dev-limit 0 --seed 42 --json --no-torch-cls-only --keep DIR
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { bioLabelList } from '../src-main/data/align';
import { prepareExamples, type LabelledText } from '../src-main/data/prepare';
import { silverLabeler } from '../src-main/data/silver';
import type { FreezePreset } from '../src-main/engine/model/freeze';
import { loadHfBertConfig } from '../src-main/engine/model/hf-config';
import { initHeads } from '../src-main/engine/model/init';
import { buildModelTrainingGraph } from '../src-main/engine/model/training-graph';
import { DEFAULT_ADAMW } from '../src-main/engine/optim';
import { TrainingSession } from '../src-main/engine/runtime';
import { WordPieceTokenizer } from '../src-main/engine/tokenizer';
import {
  loadTrainerModel,
  parseTrainerConfig,
  train,
  trainingFeeds,
  type TrainExample,
} from '../src-main/engine/train';
import { planTrainingEpoch } from '../src-main/engine/train/epoch-plan';
import { measureGemmGflops, roofline } from './roofline';
import { classLabelSet, readLabelledFile } from '../src-main/services/pipeline/read';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    'per-round': { type: 'string', default: '5' },
    presets: { type: 'string', default: 'full,heads-only' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '32' },
    'max-length': { type: 'string', default: '128' },
    'torch-attn': { type: 'string', default: 'eager' },
    'no-torch': { type: 'boolean', default: false },
    'no-speed': { type: 'boolean', default: false },
    // The targets compare ours multi-task with PyTorch and with our own classification-only run, so
    // PyTorch's classification-only run is informative but optional (it costs a full training run).
    'no-torch-cls-only': { type: 'boolean', default: false },
    // Copy the quality runs' folders (checkpoints, metrics) here before the temp folder is removed.
    keep: { type: 'string' },
    quality: { type: 'boolean', default: false },
    conll: { type: 'boolean', default: false },
    epochs: { type: 'string', default: '2' },
    fraction: { type: 'string', default: '1' },
    limit: { type: 'string', default: '0' },
    'dev-limit': { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
    json: { type: 'boolean', default: false },
    'serve-ort': { type: 'string' },
    preset: { type: 'string', default: 'full' },
  },
});
const num = (name: keyof typeof args): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0)
    throw new RangeError(`--${name} must be a non-negative number, got "${String(args[name])}".`);
  return v;
};
const root = join(import.meta.dirname, '..');
const shared = join(root, '../shared');
const MODEL = join(shared, 'models/all-MiniLM-L6-v2');
const PYTHON = join(root, '.venv/bin/python');
const TORCH_SCRIPT = join(root, 'scripts/ref/train_torch_ref.py');
const threads = num('threads');
const batchSize = num('batch');
const maxLength = num('max-length');
const seed = num('seed');
const log = (msg: string): void => void process.stderr.write(`[bench:train] ${msg}\n`);
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Tokenised data of one benchmark task plus its label names. */
interface Prepared {
  readonly train: TrainExample[];
  readonly dev: TrainExample[];
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
}

/** The file both step processes read: model, initial heads, examples and the batch plan per epoch. */
interface BatchFile {
  readonly model: string;
  readonly numClasses: number;
  readonly classLabels: readonly string[];
  readonly nerTags: readonly string[];
  readonly padId: number;
  readonly heads: Record<string, { readonly shape: readonly number[]; readonly data: number[] }>;
  readonly train: readonly {
    readonly ids: readonly number[];
    readonly cls: number;
    readonly ner: readonly number[] | null;
  }[];
  readonly dev: BatchFile['train'];
  readonly epochs: readonly (readonly (readonly number[])[])[];
  readonly recipe: {
    readonly lr: number;
    readonly weightDecay: number;
    readonly clip: number;
    readonly warmupRatio: number;
  };
}

function procStatus(): { vmHWMKiB: number; vmRSSKiB: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string): number =>
    Number(/^(\w+):\s+(\d+)/m.exec(text.split('\n').find((l) => l.startsWith(name)) ?? '')?.[2] ?? NaN);
  return { vmHWMKiB: field('VmHWM'), vmRSSKiB: field('VmRSS') };
}

/** AG News (train sample of `limit`, 0 = all) with silver NER labels, tokenised like runPipeline. */
async function prepareAgNews(limit: number, devLimit: number): Promise<Prepared> {
  const tokenizer = WordPieceTokenizer.fromDir(MODEL);
  const trainPath = join(shared, 'data/ag_news/train.csv');
  const devPath = join(shared, 'data/ag_news/dev.csv');
  const tr = await readLabelledFile(trainPath, { limit });
  const dv = await readLabelledFile(devPath, { limit: devLimit });
  const classLabels = classLabelSet(tr.items, dv.items, trainPath, devPath);
  const labeler = silverLabeler();
  const t0 = performance.now();
  const label = (items: readonly LabelledText[]): LabelledText[] =>
    items.map((e) => ({ ...e, spans: labeler.label(e.text) }));
  const [train, dev] = [label(tr.items), label(dv.items)];
  log(
    `silver-labelled ${train.length + dev.length} AG News texts in ${round((performance.now() - t0) / 1000)} s (${labeler.id})`,
  );
  const nerTags = bioLabelList(labeler.types);
  const prep = (items: LabelledText[]): TrainExample[] =>
    prepareExamples(items, tokenizer, { classLabels, nerTags, maxLength, hasNer: true }).examples;
  return { train: prep(train), dev: prep(dev), classLabels, nerTags };
}

/** CoNLL-2003 train -> valid, NER only (gold tags), tokenised like runPipeline's --ner-train. */
async function prepareConll(limit: number, devLimit: number): Promise<Prepared> {
  const tokenizer = WordPieceTokenizer.fromDir(MODEL);
  const tr = await readLabelledFile(join(shared, 'data/conll2003/train.txt'), { limit });
  const dv = await readLabelledFile(join(shared, 'data/conll2003/valid.txt'), { limit: devLimit });
  const nerTags = bioLabelList([...new Set(tr.report.entityTypes)].sort());
  const prep = (items: LabelledText[]): TrainExample[] =>
    prepareExamples(
      items.map(({ label: _none, ...rest }) => rest),
      tokenizer,
      { classLabels: [], nerTags, maxLength, hasNer: true },
    ).examples;
  return { train: prep(tr.items), dev: prep(dv.items), classLabels: [], nerTags };
}

/** The same data without NER labels (the classification-only run). */
function classificationOnly(p: Prepared): Prepared {
  const strip = (xs: readonly TrainExample[]): TrainExample[] =>
    xs.map((e) => ({ ids: e.ids, classLabel: e.classLabel }));
  return { train: strip(p.train), dev: strip(p.dev), classLabels: p.classLabels, nerTags: [] };
}

/** The trainer's own batch plan for one epoch (default proportional task sampling), as example indices. */
function trainerPlan(examples: readonly TrainExample[], epoch: number): number[][] {
  return planTrainingEpoch(examples, { batchSize, seed, taskSampling: { kind: 'proportional' } }, epoch);
}

function writeBatchFile(path: string, p: Prepared, epochs: readonly (readonly (readonly number[])[])[]): void {
  const cfg = parseTrainerConfig({ freeze: { preset: 'full' } });
  const heads = initHeads(loadHfBertConfig(MODEL).dims.hiddenSize, p.classLabels.length, p.nerTags.length, seed);
  const ex = (e: TrainExample): BatchFile['train'][number] => ({
    ids: e.ids,
    cls: e.classLabel,
    ner: e.nerLabels ?? null,
  });
  const file: BatchFile = {
    model: MODEL,
    numClasses: p.classLabels.length,
    classLabels: p.classLabels,
    nerTags: p.nerTags,
    padId: WordPieceTokenizer.fromDir(MODEL).padId,
    heads: Object.fromEntries([...heads].map(([n, t]) => [n, { shape: t.shape, data: Array.from(t.data) }])),
    train: p.train.map(ex),
    dev: p.dev.map(ex),
    epochs,
    recipe: { lr: cfg.lr, weightDecay: cfg.weightDecay, clip: cfg.clipNorm ?? 0, warmupRatio: cfg.warmupRatio },
  };
  writeFileSync(path, JSON.stringify(file));
}

/** `--serve-ort FILE --preset P`: our step process, answering the same line protocol as the torch script. */
async function serveOrt(path: string, preset: FreezePreset): Promise<void> {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as BatchFile;
  const cfg = parseTrainerConfig({ freeze: { preset }, threads, seed });
  const model = loadTrainerModel(spec.model, spec.classLabels, spec.nerTags, seed);
  const t0 = performance.now();
  const adamw = { ...DEFAULT_ADAMW, weightDecay: cfg.weightDecay };
  const tg = buildModelTrainingGraph({
    model: {
      dims: model.config.dims,
      numClasses: spec.numClasses,
      numNerLabels: spec.nerTags.length,
      pooling: cfg.pooling,
    },
    freeze: cfg.freeze,
    adamw,
    clipNorm: cfg.clipNorm,
    dropout: cfg.dropout,
    lossWeights: cfg.lossWeights,
  });
  const params = new Map([...model.params].map(([n, t]) => [n, t.data]));
  const session = await TrainingSession.create({
    bytes: tg.bytes,
    layout: tg.layout,
    adamw,
    schedule: { kind: 'constant', lr: cfg.lr },
    params,
    adoptParams: true, // as the trainer does for a model loaded for one run
    seed,
    device: 'cpu',
    threads,
  });
  const examples: TrainExample[] = spec.train.map((e) => ({
    ids: e.ids,
    classLabel: e.cls,
    ...(e.ner && { nerLabels: e.ner }),
  }));
  const tasks = { classification: spec.numClasses > 0, ner: spec.nerTags.length > 0 };
  const batches = spec.epochs[0]!;
  const say = (x: unknown): void => void process.stdout.write(`${JSON.stringify(x)}\n`);
  const loaded = procStatus();
  say({
    ready: true,
    createMs: round(performance.now() - t0),
    trainable: tg.partition.trainableCount,
    graphNodes: tg.graph.nodes.length,
    rssBeforeStepsMiB: Math.round(loaded.vmRSSKiB / 1024),
  });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, a, b] = line.split(' ');
    if (cmd === 'rss') {
      say(procStatus());
      continue;
    }
    const ms: number[] = [];
    const losses: number[] = [];
    for (const batch of batches.slice(Number(a), Number(a) + Number(b))) {
      const ts = performance.now();
      // What the trainer does per step: pad the batch, then one graph run.
      const r = await session.trainStep(
        trainingFeeds(
          batch.map((i) => examples[i]!),
          model.padId,
          tasks,
        ),
      );
      ms.push(performance.now() - ts);
      losses.push(r.loss);
    }
    say({ ms, losses });
  }
  await session.release();
}

/** A step process (ours or PyTorch) answering one JSON line per request line. */
class StepServer {
  private readonly lines: AsyncIterator<string>;
  private stderrTail = '';
  private constructor(
    readonly name: string,
    private readonly proc: ChildProcessWithoutNullStreams,
  ) {
    this.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    proc.stderr.on('data', (d: Buffer) => void (this.stderrTail = (this.stderrTail + d.toString()).slice(-2000)));
  }
  static async start(
    name: string,
    command: string,
    argv: readonly string[],
  ): Promise<{ server: StepServer; ready: Record<string, unknown> }> {
    const server = new StepServer(name, spawn(command, argv, { env: process.env }));
    return { server, ready: await server.next() };
  }
  async ask<T>(line: string): Promise<T> {
    this.proc.stdin.write(`${line}\n`);
    return (await this.next()) as T;
  }
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin.end();
    await exited;
  }
  private async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done)
      throw new Error(`the ${this.name} step process exited early; its stderr ended with:\n${this.stderrTail}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  }
}

interface SideSpeed {
  readonly samplesPerSec: number;
  readonly msPerStepMedian: number;
  readonly peakRssMiB: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly ready: Record<string, unknown>;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Interleaved rounds of ours vs PyTorch over the same batches of one preset. */
async function speed(
  preset: FreezePreset,
  file: string,
  batches: readonly (readonly number[])[],
  warmup: number,
  steps: number,
  perRound: number,
  withTorch: boolean,
) {
  const oursP = StepServer.start('ours', process.execPath, [
    '--import',
    'tsx',
    join(root, 'bench/train.bench.ts'),
    '--serve-ort',
    file,
    '--preset',
    preset,
    '--threads',
    String(threads),
    '--seed',
    String(seed),
  ]);
  const torchP = withTorch
    ? StepServer.start('torch', PYTHON, [
        TORCH_SCRIPT,
        '--serve',
        file,
        '--preset',
        preset,
        '--threads',
        String(threads),
        '--attn',
        String(args['torch-attn']),
        '--seed',
        String(seed),
      ])
    : undefined;
  const ours = await oursP;
  const torch = await torchP;
  const sides = [ours, ...(torch ? [torch] : [])];
  for (const s of sides) await s.server.ask(`run 0 ${warmup}`);
  const ms = new Map<string, number[]>(sides.map((s) => [s.server.name, []]));
  const losses = new Map<string, number[]>(sides.map((s) => [s.server.name, []]));
  const roundRatios: number[] = [];
  for (let from = warmup, r = 0; from < warmup + steps; from += perRound, r++) {
    const count = Math.min(perRound, warmup + steps - from);
    const order = r % 2 === 0 ? sides : [...sides].reverse(); // alternate who runs first
    const roundMs = new Map<string, number>();
    for (const s of order) {
      const res = await s.server.ask<{ ms: number[]; losses: number[] }>(`run ${from} ${count}`);
      ms.get(s.server.name)!.push(...res.ms);
      losses.get(s.server.name)!.push(...res.losses);
      roundMs.set(
        s.server.name,
        res.ms.reduce((a, b) => a + b, 0),
      );
    }
    if (torch) roundRatios.push(round(roundMs.get('torch')! / roundMs.get('ours')!, 2));
    log(`${preset} round ${r + 1}: ${[...roundMs].map(([n, t]) => `${n} ${round(t / count)} ms/step`).join(', ')}`);
  }
  const samples = batches.slice(warmup, warmup + steps).reduce((s, b) => s + b.length, 0);
  const side = async (s: { server: StepServer; ready: Record<string, unknown> }): Promise<SideSpeed> => {
    const rss = await s.server.ask<{ vmHWMKiB: number }>('rss');
    const t = ms.get(s.server.name)!;
    const l = losses.get(s.server.name)!;
    return {
      samplesPerSec: round((samples * 1000) / t.reduce((a, b) => a + b, 0), 2),
      msPerStepMedian: round(median(t)),
      peakRssMiB: Math.round(rss.vmHWMKiB / 1024),
      firstLoss: round(l[0]!, 4),
      lastLoss: round(l.at(-1)!, 4),
      ready: s.ready,
    };
  };
  const oursSpeed = await side(ours);
  const torchSpeed = torch ? await side(torch) : undefined;
  for (const s of sides) await s.server.stop();
  return {
    preset,
    stepsMeasured: steps,
    warmupSteps: warmup,
    samplesMeasured: samples,
    ours: oursSpeed,
    torch: torchSpeed ?? 'skipped',
    ratioSamplesPerSec: torchSpeed ? round(oursSpeed.samplesPerSec / torchSpeed.samplesPerSec, 3) : null,
    // One round hit by a burst of other work skews the whole-run ratio; the median round resists that.
    ratioMedianOfRounds: roundRatios.length > 0 ? round(median(roundRatios), 3) : null,
    ratioPerRound: roundRatios,
    rssRatioOursOverTorch: torchSpeed ? round(oursSpeed.peakRssMiB / torchSpeed.peakRssMiB, 3) : null,
  };
}

/** Trains ours (the real trainer) and PyTorch on the trainer's batch plan; dev metrics per epoch. */
async function quality(name: string, p: Prepared, epochs: number, dir: string, withTorch: boolean) {
  const plans = Array.from({ length: epochs }, (_, e) => trainerPlan(p.train, e));
  const file = join(dir, `${name}.json`);
  writeBatchFile(file, p, plans);
  const model = loadTrainerModel(MODEL, p.classLabels, p.nerTags, seed);
  let samplesPerSec = 0;
  const t0 = performance.now();
  const res = await train(
    model,
    p,
    { freeze: { preset: 'full' }, epochs, batchSize, maxLength, seed, threads, device: 'cpu' },
    {
      outDir: join(dir, `${name}-run`),
      consumeModelWeights: true,
      onEvent: (e) => {
        if (e.type !== 'step') return;
        samplesPerSec = e.samplesPerSec;
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
  };
  log(`${name} ours: ${JSON.stringify(ours.history.at(-1))}`);
  let torch:
    | { samplesPerSec: number; history: { accuracy?: number; nerF1?: number }[]; attn: string; vmHWMKiB: number }
    | undefined;
  if (withTorch) {
    const out = join(dir, `${name}-torch.json`);
    const proc = spawn(
      PYTHON,
      [
        TORCH_SCRIPT,
        '--train',
        file,
        '--out',
        out,
        '--threads',
        String(threads),
        '--attn',
        String(args['torch-attn']),
        '--seed',
        String(seed),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    if (code !== 0)
      throw new Error(`train_torch_ref.py --train ${file} exited with ${code}; run it by hand to see why.`);
    torch = JSON.parse(readFileSync(out, 'utf8')) as typeof torch;
  }
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
    accuracyDiffPoints: points(last(ours.history, 'accuracy'), last(torch?.history, 'accuracy')),
    nerF1DiffPoints: points(last(ours.history, 'nerF1'), last(torch?.history, 'nerF1')),
  };
}

function sampleSize(total: number): number {
  const limit = num('limit');
  const fraction = num('fraction');
  if (fraction <= 0 || fraction > 1) throw new RangeError(`--fraction must be in (0, 1], got ${fraction}.`);
  return limit > 0 ? limit : fraction < 1 ? Math.round(total * fraction) : 0;
}

async function main(): Promise<void> {
  for (const need of [MODEL, join(shared, 'data/ag_news/train.csv')]) {
    if (!existsSync(need))
      throw new Error(
        `${need} is missing; bench:train needs ../shared (models/all-MiniLM-L6-v2, data/ag_news, data/conll2003).`,
      );
  }
  const withTorch = !args['no-torch'] && existsSync(PYTHON);
  const dir = mkdtempSync(join(tmpdir(), 'mts-bench-train-'));
  const load = loadavg()[0]!;
  const report: Record<string, unknown> = {
    bench: 'train',
    model: 'all-MiniLM-L6-v2 (6x384) + mean-pool classification head + BIO token head',
    setup: {
      batch: batchSize,
      maxLength,
      threads,
      device: 'cpu',
      torchAttention: args['torch-attn'],
      torch: withTorch ? 'scripts/ref/train_torch_ref.py' : 'skipped (no .venv or --no-torch)',
      cpus: cpus().length,
      seed,
    },
    targets: { fullRatio: '>= 3x PyTorch samples/s', headsOnlyRatio: '>= 2.5x', rss: 'ours <= PyTorch peak RSS' },
  };
  try {
    if (!args['no-speed']) {
      const warmup = num('warmup');
      const steps = num('steps');
      const data = await prepareAgNews((warmup + steps) * batchSize, 64);
      const batches = trainerPlan(data.train, 0).slice(0, warmup + steps);
      const file = join(dir, 'speed.json');
      writeBatchFile(file, data, [batches]);
      const padded = batches.slice(warmup).map((b) => Math.max(...b.map((i) => data.train[i]!.ids.length)));
      const speedOut: Record<string, unknown> = {
        data: `AG News train.csv, seeded sample of ${data.train.length} texts with silver NER (${data.nerTags.length} BIO tags), trainer batch plan (length-bucketed)`,
        measuredBatches: {
          count: padded.length,
          meanPaddedLength: round(padded.reduce((a, b) => a + b, 0) / padded.length),
          maxPaddedLength: Math.max(...padded),
        },
      };
      const meanPadded = padded.reduce((a, b) => a + b, 0) / padded.length;
      const dims = loadHfBertConfig(MODEL).dims;
      // Measured after the steps, so the GEMM probe does not share the machine with them.
      const runs: [FreezePreset, Awaited<ReturnType<typeof speed>>][] = [];
      for (const preset of String(args.presets).split(',') as FreezePreset[]) {
        runs.push([preset, await speed(preset, file, batches, warmup, steps, num('per-round'), withTorch)]);
      }
      const gemm = await measureGemmGflops(dims, Math.round(batchSize * meanPadded), threads);
      for (const [preset, r] of runs) {
        // The fp32 compute ceiling of this CPU for the preset: no fp32 engine can beat maxRatioOverTorch.
        const work = preset === 'heads-only' ? 'train-heads-only' : 'train-full';
        const torchRate = typeof r.torch === 'string' ? null : r.torch.samplesPerSec;
        speedOut[preset] = {
          ...r,
          roofline: roofline(dims, gemm, meanPadded, work, { ours: r.ours.samplesPerSec, torch: torchRate }),
        };
      }
      report['speed'] = speedOut;
    }
    const variant = {
      fraction: num('fraction'),
      limit: num('limit'),
      devLimit: num('dev-limit'),
      epochs: num('epochs'),
    };
    if (args.quality) {
      const ag = await prepareAgNews(sampleSize(18400), num('dev-limit'));
      report['quality'] = {
        variant: {
          ...variant,
          trainExamples: ag.train.length,
          full: variant.fraction === 1 && variant.limit === 0 && variant.epochs === 2,
        },
        multitask: await quality('multitask', ag, variant.epochs, dir, withTorch),
        classificationOnly: await quality(
          'cls-only',
          classificationOnly(ag),
          variant.epochs,
          dir,
          withTorch && !args['no-torch-cls-only'],
        ),
      };
    }
    if (args.conll) {
      const conll = await prepareConll(sampleSize(14041), num('dev-limit'));
      report['conll'] = {
        variant: {
          ...variant,
          trainExamples: conll.train.length,
          full: variant.fraction === 1 && variant.limit === 0 && variant.epochs === 2,
        },
        ner: await quality('conll', conll, variant.epochs, dir, withTorch),
      };
    }
  } finally {
    if (args.keep) cpSync(dir, args.keep, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
  }
  report['loadAverage1m'] = { start: round(load, 2), end: round(loadavg()[0]!, 2) };
  console.log(args.json ? JSON.stringify(report, null, 2) : summary(report));
}

/** A few lines for people; --json prints everything. */
function summary(report: Record<string, unknown>): string {
  const speedOut = (report['speed'] ?? {}) as Record<
    string,
    {
      ratioSamplesPerSec?: number | null;
      rssRatioOursOverTorch?: number | null;
      ours?: SideSpeed;
      torch?: SideSpeed | string;
    }
  >;
  const lines = Object.entries(speedOut)
    .filter(([, v]) => typeof v === 'object' && v !== null && 'ours' in v)
    .map(
      ([k, v]) =>
        `${k}: ours ${v.ours?.samplesPerSec} samples/s, torch ${typeof v.torch === 'string' ? v.torch : v.torch?.samplesPerSec}; ratio ${v.ratioSamplesPerSec ?? '-'}x; RSS ours/torch ${v.rssRatioOursOverTorch ?? '-'}`,
    );
  return [...lines, '(run with --json for everything, including quality results)'].join('\n');
}

if (args['serve-ort'] !== undefined) await serveOrt(args['serve-ort'], args.preset as FreezePreset);
else await main();
