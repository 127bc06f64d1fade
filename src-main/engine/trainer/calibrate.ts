/**
 * `--device auto` decided by measurement: each usable provider runs a few training steps of the run's own
 * graph at its own batch shape, and the fastest wins. A provider is not usable when it does not open, or
 * when its only WebGPU adapter is a software rasterizer (Mesa lavapipe, SwiftShader: ~1/40 of the CPU EP).
 * Results are cached per machine, onnxruntime version, graph and batch shape, so a second run of the same
 * shape starts at once.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, homedir, hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Device, HostTensor } from '../runtime';
import type { TrainExample } from './example';

/** One provider's calibration: its rate, or why it was not measured. */
export type DeviceMeasurement =
  | { readonly device: Device; readonly samplesPerSec: number; readonly cached: boolean }
  | { readonly device: Device; readonly samplesPerSec: null; readonly reason: string };

/** A session that can time steps: a Stepper, opened only for calibration. */
export interface CalibrationTarget {
  run(batches: readonly Readonly<Record<string, HostTensor>>[]): Promise<unknown>;
  release(): Promise<void>;
}

export interface CalibrationSpec {
  /** What identifies the graph (model dims, trainable set, tasks, dropout, accumulation). */
  readonly graphKey: string;
  /** One optimizer step's micro-batches at the run's batch shape (its largest bucket). */
  readonly batches: readonly Readonly<Record<string, HostTensor>>[];
  /** Examples in one optimizer step. */
  readonly samplesPerStep: number;
  /** Timed steps after one warm-up step. */
  readonly steps?: number;
  /** JSON file holding earlier results; none: always measure. */
  readonly cacheFile?: string;
  readonly ortVersion: string;
}

const cacheSchema = z.record(z.string(), z.object({ samplesPerSec: z.number().positive(), measuredAt: z.string() }));
type CacheEntries = z.infer<typeof cacheSchema>;

/**
 * The optimizer step to time: the planned group (k consecutive batches) with the most tokens, so the
 * measurement sees the run's largest shape.
 */
export function calibrationBatches(
  plan: readonly (readonly TrainExample[])[],
  k: number,
  feeds: (batch: readonly TrainExample[]) => Readonly<Record<string, HostTensor>>,
): { readonly batches: Readonly<Record<string, HostTensor>>[]; readonly samplesPerStep: number } {
  // Padded tokens: every batch pads to its longest example.
  const tokens = (batch: readonly TrainExample[]): number =>
    batch.length * Math.max(0, ...batch.map((e) => e.ids.length));
  let best = plan.slice(0, k);
  let bestTokens = -1;
  for (let i = 0; i < plan.length; i += k) {
    const group = plan.slice(i, i + k);
    const n = group.reduce((sum, b) => sum + tokens(b), 0);
    if (n > bestTokens) [best, bestTokens] = [group, n];
  }
  return { batches: best.map(feeds), samplesPerStep: best.reduce((n, b) => n + b.length, 0) };
}

/** The calibration cache file of a run (TrainerRun.calibrationCache), as a CalibrationSpec field. */
export function calibrationCacheOf(run: { readonly calibrationCache?: string | null }): {
  readonly cacheFile?: string;
} {
  if (run.calibrationCache === null) return {};
  if (run.calibrationCache !== undefined) return { cacheFile: run.calibrationCache };
  const base = process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return { cacheFile: path.join(base, 'multitask-studio', 'device-calibration.json') };
}

/** The cache key of one provider for this machine, graph and batch shape. */
export function calibrationKey(spec: CalibrationSpec, device: Device): string {
  const shapes = spec.batches.map((b) => b['input_ids']?.dims.join('x') ?? '?').join('+');
  const machine = `${hostname()}|${process.platform}-${process.arch}|${cpus()[0]?.model ?? '?'}|ort ${spec.ortVersion}`;
  return createHash('sha256').update(`${machine}|${spec.graphKey}|${shapes}|${device}`).digest('hex').slice(0, 24);
}

/** Measures (or reads from the cache) each candidate's samples/s; candidates that fail carry their reason. */
export async function calibrateDevices(
  candidates: readonly Device[],
  open: (device: Device) => Promise<CalibrationTarget>,
  spec: CalibrationSpec,
): Promise<DeviceMeasurement[]> {
  const cache = readCache(spec.cacheFile);
  const results: DeviceMeasurement[] = [];
  for (const device of candidates) {
    const key = calibrationKey(spec, device);
    const hit = cache[key];
    if (hit) {
      results.push({ device, samplesPerSec: hit.samplesPerSec, cached: true });
      continue;
    }
    try {
      const samplesPerSec = await timeSteps(await open(device), spec);
      cache[key] = { samplesPerSec, measuredAt: new Date().toISOString() };
      results.push({ device, samplesPerSec, cached: false });
    } catch (err) {
      results.push({ device, samplesPerSec: null, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  writeCache(spec.cacheFile, cache);
  return results;
}

/** The fastest measured device (the CPU when nothing else was measured faster). */
export function fastest(measurements: readonly DeviceMeasurement[]): Device {
  let best: { device: Device; rate: number } = { device: 'cpu', rate: -1 };
  for (const m of measurements) {
    if (m.samplesPerSec !== null && m.samplesPerSec > best.rate) best = { device: m.device, rate: m.samplesPerSec };
  }
  return best.device;
}

async function timeSteps(target: CalibrationTarget, spec: CalibrationSpec): Promise<number> {
  try {
    await target.run(spec.batches); // warm-up: kernels compile, buffers allocate
    const steps = spec.steps ?? 2;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await target.run(spec.batches);
    const seconds = (performance.now() - t0) / 1000;
    return (steps * spec.samplesPerStep) / seconds;
  } finally {
    await target.release();
  }
}

function readCache(file: string | undefined): CacheEntries {
  if (file === undefined) return {};
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    // Missing or not JSON: measure again (the file is only a cache).
    return {};
  }
}

function writeCache(file: string | undefined, entries: CacheEntries): void {
  if (file === undefined) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entries, null, 2));
  renameSync(tmp, file);
}
