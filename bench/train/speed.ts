/**
 * bench:train's speed + memory part: per preset, our step process (serve-ort.ts) and PyTorch's
 * (`train_torch_ref.py --serve`) run the same batches in alternating rounds; then the fp32 roofline.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadHfBertConfig, type FreezePreset } from '../../src-main/engine/model';
import { measureGemmGflops, roofline } from '../roofline';
import { ENTRY, log, median, MODEL, PYTHON, round, TORCH_SCRIPT, type TrainBenchOptions } from './options';
import { prepareAgNews, trainerPlan, writeBatchFile } from './prepare';

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

export interface SideSpeed {
  readonly samplesPerSec: number;
  readonly msPerStepMedian: number;
  readonly peakRssMiB: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly ready: Record<string, unknown>;
}

/** Interleaved rounds of ours vs PyTorch over the same batches of one preset. */
async function speed(
  preset: FreezePreset,
  file: string,
  batches: readonly (readonly number[])[],
  o: TrainBenchOptions,
  withTorch: boolean,
) {
  const { warmup, steps, perRound, threads, seed } = o;
  const oursP = StepServer.start('ours', process.execPath, [
    '--import',
    'tsx',
    ENTRY,
    '--serve-ort',
    file,
    '--preset',
    preset,
    '--threads',
    String(threads),
    '--seed',
    String(seed),
    '--embedding-updates',
    o.embeddingUpdates,
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
        o.torchAttn,
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

/** The report's `speed` part: every `--presets` preset on the same AG News batches, then the roofline. */
export async function runSpeed(
  o: TrainBenchOptions,
  dir: string,
  withTorch: boolean,
): Promise<Record<string, unknown>> {
  const { warmup, steps, batchSize, threads } = o;
  const data = await prepareAgNews((warmup + steps) * batchSize, 64, o);
  const batches = trainerPlan(data.train, 0, o).slice(0, warmup + steps);
  const file = join(dir, 'speed.json');
  writeBatchFile(file, data, [batches], o.seed, o.dropout);
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
  for (const preset of o.presets) {
    runs.push([preset, await speed(preset, file, batches, o, withTorch)]);
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
  return speedOut;
}
