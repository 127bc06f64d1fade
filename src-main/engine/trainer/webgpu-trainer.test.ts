/**
 * The trainer on WebGPU (Mesa lavapipe in CI): state resident on the device, evaluation on the device with
 * the resident weights, weights read back only for best/ and resume/; cancel + resume, gradient
 * accumulation, and a WebGPU run resumed on the CPU.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../model';
import { detectWebGpuAdapter } from '../runtime';
import { NO_WEBGPU_MESSAGE, webgpuUnavailable } from '../runtime/webgpu-testing';
import type { TrainEvent } from './events';
import { tinyTrainerModel, toyData } from './testing';
import { train, type TrainerData } from './trainer';

const DATA: TrainerData = toyData(48, 16);
const CONFIG = {
  freeze: { preset: 'full' as const },
  epochs: 2,
  batchSize: 8,
  lr: 3e-3,
  device: 'webgpu' as const,
  threads: 1,
  seed: 5,
  dropout: { hidden: 0.1, attention: 0.1, head: 0.1 },
};
const lossesOf = (events: readonly TrainEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'step' ? [e.losses.total] : []));

let unavailable: string | null = null;
beforeAll(async () => {
  unavailable = await webgpuUnavailable();
  if (unavailable !== null) console.warn(`${NO_WEBGPU_MESSAGE}\n(${unavailable})`);
});

describe('train on WebGPU', () => {
  it('trains with device-resident state, evaluates on the device, and resumes a cancelled run exactly', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'mts-webgpu-train-'));
    const model = tinyTrainerModel(dir);
    const full: TrainEvent[] = [];
    const result = await train(model, DATA, CONFIG, { outDir: join(dir, 'a'), onEvent: (e) => full.push(e) });
    expect(result.status).toBe('completed');
    expect(result.device.used).toBe('webgpu');
    expect(full.filter((e) => e.type === 'eval')).toHaveLength(2);
    expect(loadCheckpoint(result.bestCheckpoint!).meta.heads.ner?.labels).toEqual(DATA.nerTags);

    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const cancelled = await train(model, DATA, CONFIG, {
      outDir: join(dir, 'b'),
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 4) controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');
    expect(lossesOf(part)).toHaveLength(4); // stopped right after the step during which cancel came
    expect(existsSync(join(dir, 'b', 'resume', 'state.json'))).toBe(true);
    const rest: TrainEvent[] = [];
    const resumed = await train(model, DATA, CONFIG, {
      outDir: join(dir, 'b'),
      resume: true,
      onEvent: (e) => rest.push(e),
    });
    expect(resumed.status).toBe('completed');
    const joined = [...lossesOf(part), ...lossesOf(rest)];
    expect(joined).toHaveLength(lossesOf(full).length);
    joined.forEach((loss, i) => expect(loss).toBeCloseTo(lossesOf(full)[i]!, 5));
  });

  it('accumulates gradients on the device, and a WebGPU run continues on the CPU from its resume state', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'mts-webgpu-accum-'));
    const model = tinyTrainerModel(dir);
    const accumulated = await train(
      model,
      DATA,
      { ...CONFIG, batchSize: 4, gradAccumulation: 2, epochs: 1 },
      { outDir: join(dir, 'k') },
    );
    expect(accumulated.status).toBe('completed');
    expect(accumulated.steps).toBe(6);

    const controller = new AbortController();
    const onGpu = await train(model, DATA, CONFIG, {
      outDir: join(dir, 'm'),
      signal: controller.signal,
      onEvent: (e) => e.type === 'step' && e.step === 3 && controller.abort(),
    });
    expect(onGpu.status).toBe('cancelled');
    const onCpu = await train(model, DATA, { ...CONFIG, device: 'cpu' }, { outDir: join(dir, 'm'), resume: true });
    expect(onCpu.status).toBe('completed');
    expect(onCpu.device.used).toBe('cpu');
    expect(onCpu.steps).toBe(12);
  });

  it("picks the CPU for --device auto when WebGPU's only adapter is a software rasterizer", async (ctx) => {
    if (unavailable !== null || (await detectWebGpuAdapter()).kind !== 'software') return ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'mts-webgpu-auto-'));
    const result = await train(
      tinyTrainerModel(dir),
      DATA,
      { ...CONFIG, device: 'auto', epochs: 1 },
      { outDir: join(dir, 'r'), calibrationCache: null },
    );
    expect(result.device.used).toBe('cpu');
    expect(result.device.notUsed.find((n) => n.device === 'webgpu')?.reason).toMatch(/software rasterizer/);
  });
});
