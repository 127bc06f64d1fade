/**
 * bench:train's `--end-to-end` part (issue 14's endToEndRatio): the whole job as a user runs it, wall clock
 * from process start to exit. Ours: `mts pipeline` (the built CLI: read, silver-label, tokenise, train,
 * evaluate, write the run) on AG News multi-task; PyTorch: scripts/ref/seed_pipeline_ref.py, the seed
 * project's pipeline (spaCy silver labels, HF tokenizer, shuffled unsorted batches, the DESIGN.md recipe).
 * The two run one after the other (not interleaved: each is one long process), so the load average at each
 * start and end is printed beside the ratio.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { log, MODEL, PYTHON, ROOT, round, SHARED, type TrainBenchOptions } from './options';

const CLI = join(ROOT, process.env['MTS_OUT_DIR'] ?? 'out', 'main', 'cli.js');
const SEED_SCRIPT = join(ROOT, 'scripts/ref/seed_pipeline_ref.py');

interface Finished {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly stdout: string;
  readonly load: { readonly start: number; readonly end: number };
}

/** Runs a command to its end; wall seconds and the peak RSS (VmHWM polled from /proc) of the process. */
async function timed(cmd: string, args: readonly string[], cwd: string): Promise<Finished> {
  const start = loadavg()[0]!;
  const t0 = performance.now();
  const proc = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // The process has just ended: its last reading stands.
    }
  }, 500);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}; run it by hand to see why.`);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, peakRssMiB: Math.round(peakKiB / 1024), stdout, load: { start, end: loadavg()[0]! } };
}

/** The last JSON object a process printed on stdout. */
function lastJson(stdout: string): Record<string, unknown> {
  const start = stdout.lastIndexOf('\n{');
  return JSON.parse(stdout.slice(start < 0 ? stdout.indexOf('{') : start + 1)) as Record<string, unknown>;
}

/** What `mts pipeline --json` says of its run: rows, steps, training seconds, best dev metrics (NER vs our silver). */
function runFacts(result: Record<string, unknown>) {
  const r = result as {
    data?: { train?: number; dev?: number };
    train?: {
      steps?: number;
      seconds?: number;
      best?: { metrics?: { classification?: { accuracy?: number }; ner?: { f1?: number } } };
    };
  };
  const best = r.train?.best?.metrics;
  return {
    rows: r.data?.train,
    steps: r.train?.steps,
    trainSeconds: r.train?.seconds === undefined ? undefined : round(r.train.seconds),
    accuracy: best?.classification?.accuracy,
    nerF1VsSilver: best?.ner?.f1,
  };
}

/** The report's `endToEnd` part: seconds per side, the ratio PyTorch / ours, and each side's dev accuracy. */
export async function runEndToEnd(o: TrainBenchOptions, dir: string, withTorch: boolean) {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: --end-to-end times the built CLI; run \`npm run build\` first.`);
  const train = join(SHARED, 'data/ag_news/train.csv');
  const dev = join(SHARED, 'data/ag_news/dev.csv');
  // The same data, epochs, sample and threads on both sides.
  const shared = [
    ...['--train', train, '--dev', dev, '--model', MODEL, '--epochs', String(o.epochs)],
    ...(o.limit > 0 ? ['--limit', String(o.limit)] : []),
    ...['--threads', String(o.threads)],
  ];
  const variant = { limit: o.limit, epochs: o.epochs, full: o.limit === 0 && o.epochs === 2 };
  log(`end-to-end: mts pipeline, AG News ${o.limit || 'all'} rows, ${o.epochs} epochs`);
  const pipelineArgs = ['pipeline', ...shared, '--device', 'cpu', '--out', join(dir, 'e2e-run'), '--json'];
  const oursRun = await timed(process.execPath, [join(ROOT, 'bin/mts.js'), ...pipelineArgs], ROOT);
  const ours = {
    seconds: round(oursRun.seconds),
    peakRssMiB: oursRun.peakRssMiB,
    load: oursRun.load,
    ...runFacts(lastJson(oursRun.stdout)),
  };
  log(`end-to-end ours: ${ours.seconds} s`);
  if (!withTorch) return { variant, ours, torch: 'skipped', endToEndRatio: null };
  const torchRun = await timed(PYTHON, [SEED_SCRIPT, ...shared], join(ROOT, 'scripts/ref'));
  const t = lastJson(torchRun.stdout);
  const torch = {
    seconds: round(torchRun.seconds),
    peakRssMiB: torchRun.peakRssMiB,
    load: torchRun.load,
    phases: t['phases'],
    history: t['history'],
  };
  log(`end-to-end torch: ${torch.seconds} s`);
  return {
    variant,
    ours,
    torch,
    endToEndRatio: round(torchRun.seconds / oursRun.seconds, 3),
    rssRatioOursOverTorch: round(oursRun.peakRssMiB / Math.max(1, torchRun.peakRssMiB), 3),
  };
}
