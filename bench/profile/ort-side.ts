/**
 * bench:profile, our side: the trainer's step path (trainingFeeds + TrainingSession.trainStep, CPU EP) on the
 * batch file's batches, first timed in a plain session, then in a session with ORT's profiler; the profile's
 * kernel events of the measured runs are returned per node with their FLOPs (GEMMs) and bytes touched.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingUpdates } from '../../src-main/engine/model';
import { TrainingSession } from '../../src-main/engine/runtime';
import { trainingFeeds } from '../../src-main/engine/trainer';
import type { BatchFile } from '../train/prepare';
import { trainerStepGraph } from '../train/step-graph';

/** One graph node's kernel time summed over the measured runs. */
export interface NodeTime {
  readonly name: string;
  readonly op: string;
  readonly us: number;
  /** 2 x multiply-adds for MatMul / FusedMatMul / Gemm, else 0. */
  readonly flops: number;
  /** Inputs + outputs in bytes, as ORT's profile counts them (activation + parameter + output size). */
  readonly bytes: number;
  /** Rank of the node's first input (4 = attention's batched matmuls). */
  readonly rank: number;
}

export interface OrtProfile {
  /** Step wall times in a session without profiling (the real step time). */
  readonly stepMs: readonly number[];
  /** Host part of each step (padding, dropout masks, feeds) in the profiled session. */
  readonly hostMs: readonly number[];
  /** Wall time of each measured run as ORT's profile records it (model_run). */
  readonly runMs: readonly number[];
  readonly nodes: readonly NodeTime[];
  readonly graphNodes: number;
}

export interface OrtProfileOptions {
  readonly warmup: number;
  readonly steps: number;
  readonly threads: number;
  readonly seed: number;
  readonly embeddingUpdates: EmbeddingUpdates;
  /** Folder for ORT's profile file (removed afterwards). */
  readonly dir: string;
}

interface ProfileEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly ts?: number;
  readonly dur?: number;
  readonly args?: {
    readonly op_name?: string;
    readonly activation_size?: string;
    readonly parameter_size?: string;
    readonly output_size?: string;
    readonly input_type_shape?: readonly Record<string, readonly number[]>[];
    readonly output_type_shape?: readonly Record<string, readonly number[]>[];
  };
}

/** Runs the full preset on `batchFile`'s epoch-0 batches [warmup, warmup + steps) and profiles them. */
export async function profileOurs(batchFile: string, o: OrtProfileOptions): Promise<OrtProfile> {
  const spec = JSON.parse(readFileSync(batchFile, 'utf8')) as BatchFile;
  // The trainer's step graph with its defaults: what bench:train times.
  const { cfg, model, adamw, tg, examples, tasks, batches } = trainerStepGraph(spec, 'full', o);
  const open = (profilePrefix?: string): Promise<TrainingSession> =>
    TrainingSession.create({
      bytes: tg.bytes,
      layout: tg.layout,
      adamw,
      schedule: { kind: 'constant', lr: cfg.lr },
      params: new Map([...model.params].map(([n, t]) => [n, t.data])),
      seed: o.seed,
      device: 'cpu',
      threads: o.threads,
      ...(profilePrefix !== undefined && { profilePrefix }),
    });
  const run = async (session: TrainingSession, from: number, count: number) => {
    const out: { wallMs: number; hostMs: number }[] = [];
    for (const batch of batches.slice(from, from + count)) {
      const t0 = performance.now();
      const r = await session.trainStep(
        trainingFeeds(
          batch.map((i) => examples[i]!),
          model.padId,
          tasks,
        ),
      );
      out.push({ wallMs: performance.now() - t0, hostMs: r.timing.prepareMs });
    }
    return out;
  };

  const plain = await open();
  await run(plain, 0, o.warmup);
  const timed = await run(plain, o.warmup, o.steps);
  await plain.release();

  mkdirSync(o.dir, { recursive: true });
  const prefix = join(o.dir, 'ort');
  const profiled = await open(prefix);
  await run(profiled, 0, o.warmup);
  const measured = await run(profiled, o.warmup, o.steps);
  profiled.endProfiling();
  await profiled.release();
  const file = readdirSync(o.dir).find((f) => f.startsWith('ort') && f.endsWith('.json'));
  if (!file) throw new Error(`ORT wrote no profile under ${o.dir}; check that profiling is enabled.`);
  const events = JSON.parse(readFileSync(join(o.dir, file), 'utf8')) as ProfileEvent[];
  rmSync(o.dir, { recursive: true, force: true });
  const { nodes, runMs } = measuredNodes(events, o.steps);
  return {
    stepMs: timed.map((t) => t.wallMs),
    hostMs: measured.map((t) => t.hostMs),
    runMs,
    nodes,
    graphNodes: tg.graph.nodes.length,
  };
}

/** Kernel events inside the last `steps` model runs, summed per node. */
export function measuredNodes(events: readonly ProfileEvent[], steps: number): { nodes: NodeTime[]; runMs: number[] } {
  const runs = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run' && e.ts !== undefined && e.dur !== undefined)
    .slice(-steps);
  const inRun = (ts: number): boolean => runs.some((r) => ts >= r.ts! && ts <= r.ts! + r.dur!);
  const byNode = new Map<string, NodeTime>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || e.ts === undefined || e.dur === undefined) continue;
    if (!inRun(e.ts)) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const op = e.args?.op_name ?? '?';
    const prev = byNode.get(name);
    const bytes = ['activation_size', 'parameter_size', 'output_size'].reduce(
      (s, k) => s + Number((e.args as Record<string, string> | undefined)?.[k] ?? 0),
      0,
    );
    const inputs = (e.args?.input_type_shape ?? []).map((t) => Object.values(t)[0] ?? []);
    const output = Object.values(e.args?.output_type_shape?.[0] ?? {})[0] ?? [];
    byNode.set(name, {
      name,
      op,
      us: (prev?.us ?? 0) + e.dur,
      flops: (prev?.flops ?? 0) + gemmFlops(op, inputs, output),
      bytes: (prev?.bytes ?? 0) + bytes,
      rank: inputs[0]?.length ?? 0,
    });
  }
  return { nodes: [...byNode.values()], runMs: runs.map((r) => r.dur! / 1000) };
}

const GEMM_OPS = new Set(['MatMul', 'FusedMatMul', 'Gemm']);

/**
 * 2 M N K for C[..., M, N] = op(A) op(B): K is the dim of A's last two that is not M (A is [M, K], or [K, M]
 * when transposed; when both equal M, K = M).
 */
export function gemmFlops(op: string, inputs: readonly (readonly number[])[], output: readonly number[]): number {
  if (!GEMM_OPS.has(op) || inputs.length < 2 || output.length === 0) return 0;
  const a = inputs[0]!;
  const m = output.length >= 2 ? output[output.length - 2]! : 1;
  const [a1, a2] = a.length >= 2 ? [a[a.length - 2]!, a[a.length - 1]!] : [1, a[0]!];
  const k = a1 === m ? a2 : a1;
  return 2 * output.reduce((p, d) => p * d, 1) * k;
}
