/**
 * `npm run bench:engine`: full training steps of a MiniLM-shaped multi-task model (./minilm.ts; random init,
 * mean pooling + classification head + token head, dropout 0.1, clip 1.0, AdamW) through the engine on the
 * CPU EP, against PyTorch eager on the same shapes in the same run (scripts/ref/bench_torch_train.py, when
 * .venv has torch; it gets the shape through `--dims`). Rounds alternate ORT and PyTorch so both see the
 * same machine load; prints one JSON object.
 *
 * Options: --batch 32 --seq 64 --threads 2 --rounds 3 --steps 2 --no-torch --no-dropout --preset full
 *          --spinning (idle threads busy-wait on both sides: ORT's default and PyTorch's OpenMP default;
 *          without it the engine's default, no spinning, is paired with OMP_WAIT_POLICY=PASSIVE for PyTorch:
 *          under CPU contention spinning costs PyTorch up to 4x and ORT ~1.5x, so mixed pairs mislead).
 *          --profile <prefix> (ORT per-node profile; prints the top op types by time).
 *          --embedding-updates dense|lazy (default dense, the trainer's default; lazy: AdamW on the batch's rows
 *          of the word table only, `mts pipeline --embedding-updates lazy`; PyTorch always updates every row, as
 *          torch.optim.AdamW does).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  type FreezePreset,
  initEncoder,
  initHeads,
  buildModelTrainingGraph,
  DEFAULT_DROPOUT,
  type EmbeddingUpdates,
} from '../src-main/engine/model';
import { DEFAULT_ADAMW } from '../src-main/engine/optim';
import { hostTensor, type HostTensor, TrainingSession } from '../src-main/engine/runtime';
import { MINILM_DIMS, MINILM_SHAPE_LONG, MINILM_SPEC } from './minilm';

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '2' },
    preset: { type: 'string', default: 'full' },
    'no-torch': { type: 'boolean', default: false },
    'no-dropout': { type: 'boolean', default: false },
    profile: { type: 'string' },
    spinning: { type: 'boolean', default: false },
    'embedding-updates': { type: 'string', default: 'dense' },
  },
});
const embeddingUpdates = parseEmbeddingUpdates(args['embedding-updates']);
const B = Number(args.batch);
const T = Number(args.seq);
const threads = Number(args.threads);
const rounds = Number(args.rounds);
const stepsPerRound = Number(args.steps);
const NUM_CLASSES = MINILM_SPEC.numClasses;
const NUM_NER = MINILM_SPEC.numNerLabels;
const DIMS = MINILM_DIMS;
const root = join(import.meta.dirname, '..');
const python = join(root, '.venv/bin/python');

function parseEmbeddingUpdates(value: string | undefined): EmbeddingUpdates {
  if (value === 'lazy' || value === 'dense') return value;
  throw new Error(`--embedding-updates must be lazy or dense, got '${value}'.`);
}

/** The same deterministic batch the PyTorch script builds. */
function makeBatch(): Record<string, HostTensor> {
  return {
    input_ids: hostTensor(
      'int64',
      BigInt64Array.from({ length: B * T }, (_, i) => BigInt(1000 + ((i * 7919) % 20000))),
      [B, T],
    ),
    attention_mask: hostTensor('float32', new Float32Array(B * T).fill(1), [B, T]),
    class_labels: hostTensor(
      'int32',
      Int32Array.from({ length: B }, (_, i) => i % NUM_CLASSES),
      [B],
    ),
    ner_labels: hostTensor(
      'int32',
      Int32Array.from({ length: B * T }, (_, i) => i % NUM_NER),
      [B, T],
    ),
  };
}

async function createOrt(): Promise<{ session: TrainingSession; buildMs: number; createMs: number; nodes: number }> {
  const t0 = performance.now();
  const spec = MINILM_SPEC;
  const dropout = args['no-dropout'] ? { hidden: 0, attention: 0, head: 0 } : DEFAULT_DROPOUT;
  const built = buildModelTrainingGraph({
    model: spec,
    freeze: { preset: args.preset as FreezePreset },
    clipNorm: 1,
    dropout,
    embeddingUpdates,
  });
  const t1 = performance.now();
  const store = new Map([...initEncoder(DIMS, 1), ...initHeads(DIMS.hiddenSize, NUM_CLASSES, NUM_NER, 2)]);
  const session = await TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw: DEFAULT_ADAMW,
    schedule: { kind: 'constant', lr: 5e-5 },
    params: new Map([...store].map(([n, t]) => [n, t.data])),
    seed: 1,
    threads,
    spinning: args.spinning,
    ...(args.profile !== undefined ? { profilePrefix: args.profile } : {}),
  });
  return { session, buildMs: t1 - t0, createMs: performance.now() - t1, nodes: built.graph.nodes.length };
}

/** A persistent PyTorch process that runs N steps per request (after its own warmup). */
class TorchServer {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  static async start(): Promise<{ server: TorchServer; version: string }> {
    const script = join(root, 'scripts/ref/bench_torch_train.py');
    // OMP_WAIT_POLICY=PASSIVE is PyTorch's counterpart of ORT's allow_spinning=0: both sides use one policy.
    const env = args.spinning ? process.env : { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
    const argv = [script, '--serve', '--batch', String(B), '--seq', String(T), '--threads', String(threads)];
    argv.push('--dims', JSON.stringify(DIMS), '--classes', String(NUM_CLASSES), '--ner-labels', String(NUM_NER));
    const proc = spawn(python, argv, { env });
    proc.stderr.on('data', () => undefined); // torch warnings; the answer is on stdout
    const server = new TorchServer(proc);
    const ready = JSON.parse(await server.next()) as { ready: boolean; torch: string };
    return { server, version: ready.torch };
  }
  async steps(n: number): Promise<number[]> {
    this.proc.stdin.write(`${n}\n`);
    return (JSON.parse(await this.next()) as { ms: number[] }).ms;
  }
  stop(): void {
    this.proc.stdin.end();
  }
  private async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('bench_torch_train.py exited early; run it by hand to see its error.');
    return r.value;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function rate(ms: readonly number[]): { msPerStep: number; stepsPerSec: number; samplesPerSec: number } {
  const m = median(ms);
  return { msPerStep: round(m), stepsPerSec: round(1000 / m, 3), samplesPerSec: round((B * 1000) / m, 2) };
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}

/** Sums ORT profile node times by op type (top 12). */
function summariseProfile(file: string): { op: string; ms: number; share: number }[] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as {
    cat?: string;
    dur?: number;
    args?: { op_name?: string };
  }[];
  const byOp = new Map<string, number>();
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.args?.op_name || e.dur === undefined) continue;
    byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
    total += e.dur;
  }
  return [...byOp]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([op, us]) => ({ op, ms: round(us / 1000), share: round(us / total, 3) }));
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!;
  const batch = makeBatch();
  const ort = await createOrt();
  const warm = [await ort.session.trainStep(batch), await ort.session.trainStep(batch)];
  const wantTorch = !args['no-torch'] && existsSync(python);
  const torch = wantTorch ? await TorchServer.start() : undefined;
  const ortMs: number[] = [];
  const prepareMs: number[] = [];
  const torchMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < stepsPerRound; i++) {
      const t0 = performance.now();
      const res = await ort.session.trainStep(batch);
      ortMs.push(performance.now() - t0);
      prepareMs.push(res.timing.prepareMs);
    }
    if (torch) torchMs.push(...(await torch.server.steps(stepsPerRound)));
  }
  torch?.server.stop();
  let profile: ReturnType<typeof summariseProfile> | undefined;
  if (args.profile !== undefined) {
    ort.session.endProfiling();
    const dir = dirname(resolve(args.profile));
    const base = basename(args.profile);
    const file = readdirSync(dir)
      .filter((f) => f.startsWith(base) && f.endsWith('.json'))
      .sort()
      .pop();
    if (file) profile = summariseProfile(join(dir, file));
  }
  const ortRate = rate(ortMs);
  const torchRate = torchMs.length > 0 ? rate(torchMs) : undefined;
  const report = {
    shape: { batch: B, seq: T, threads, preset: args.preset, dropout: !args['no-dropout'] },
    embeddingUpdates: `${embeddingUpdates} (PyTorch: dense)`,
    idleThreads: args.spinning
      ? 'spin (ORT default, OpenMP default)'
      : 'sleep (ORT allow_spinning=0, OMP_WAIT_POLICY=PASSIVE)',
    model: `MiniLM-shaped random BERT (${MINILM_SHAPE_LONG}) + mean-pool cls head + token head`,
    ort: {
      ...ortRate,
      graphNodes: ort.nodes,
      buildGraphMs: round(ort.buildMs),
      createSessionMs: round(ort.createMs),
      hostPrepareMsPerStep: round(median(prepareMs), 2),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      firstLosses: warm.map((w) => round(w.loss, 4)),
      device: ort.session.device,
    },
    torch: torchRate
      ? { ...torchRate, version: torch!.version }
      : 'skipped (no .venv/bin/python with torch, or --no-torch)',
    ratioSamplesPerSec: torchRate ? round(ortRate.samplesPerSec / torchRate.samplesPerSec, 3) : null,
    target: '>= 3x PyTorch samples/s',
    stepsMeasured: { ort: ortMs.length, torch: torchMs.length, rounds },
    // Other work on the machine slows both sides (unevenly): read the ratio with the load in mind.
    loadAverage1m: { start: round(loadStart, 2), end: round(loadavg()[0]!, 2) },
    ...(profile ? { profileTopOps: profile } : {}),
  };
  console.log(JSON.stringify(report, null, 2));
  await ort.session.release();
}

await main();
