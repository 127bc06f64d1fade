/**
 * Device-resident training on WebGPU against the CPU EP: the same graph (dropout masks generated in the
 * graph, so both EPs draw the same ones), the same seed, the same batches. Runs on Mesa's lavapipe in CI.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingUpdates, FreezeConfig } from '../model';
import {
  buildModelAccumulationGraphs,
  buildModelTrainingGraph,
  DEFAULT_DROPOUT,
  encoderParamSpecs,
  initHeads,
  randomTensors,
} from '../model';
import { TINY_DIMS } from '../model/testing';
import { AccumulatingSession } from './accumulating-session';
import { hostTensor, type HostTensor } from './tensor';
import { TrainingSession } from './training-session';
import { NO_WEBGPU_MESSAGE, webgpuUnavailable } from './webgpu-testing';

const model = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' as const };
const adamw = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
const schedule = { kind: 'constant' as const, lr: 3e-3 };

function params(): Map<string, Float32Array> {
  const enc = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
  const heads = initHeads(TINY_DIMS.hiddenSize, 3, 5, 12, 0.02);
  return new Map([...enc, ...heads].map(([n, t]) => [n, t.data]));
}

// Batch b of a fixed sequence: shapes vary (length-bucketed batches do), labels include -100.
function batch(b: number): Record<string, HostTensor> {
  const B = 3 + (b % 2);
  const T = 5 + (b % 3);
  const ids: number[] = [];
  const mask: number[] = [];
  const ner: number[] = [];
  for (let i = 0; i < B; i++) {
    const len = T - (i % 2);
    for (let t = 0; t < T; t++) {
      ids.push(t === 0 ? 2 : t < len - 1 ? 5 + ((b * 7 + i * 3 + t) % 40) : t === len - 1 ? 3 : 0);
      mask.push(t < len ? 1 : 0);
      ner.push(t === 0 || t >= len - 1 ? -100 : (b + i + t) % 5);
    }
  }
  return {
    input_ids: hostTensor('int64', BigInt64Array.from(ids, BigInt), [B, T]),
    attention_mask: hostTensor('float32', Float32Array.from(mask), [B, T]),
    class_labels: hostTensor(
      'int32',
      Int32Array.from({ length: B }, (_, i) => (i === 1 ? -100 : (b + i) % 3)),
      [B],
    ),
    ner_labels: hostTensor('int32', Int32Array.from(ner), [B, T]),
  };
}

const batchBytes = (b: Record<string, HostTensor>): number =>
  Object.values(b).reduce((s, t) => s + t.data.byteLength, 0);

async function single(
  device: 'cpu' | 'webgpu',
  freeze: FreezeConfig = { preset: 'full' },
  embeddingUpdates: EmbeddingUpdates = 'lazy',
): Promise<TrainingSession> {
  const built = buildModelTrainingGraph({
    model,
    freeze,
    clipNorm: 1,
    dropout: DEFAULT_DROPOUT,
    dropoutMasks: 'generated',
    embeddingUpdates,
  });
  return TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw,
    schedule,
    params: params(),
    seed: 5,
    device,
    threads: 1,
  });
}

let unavailable: string | null = null;
beforeAll(async () => {
  unavailable = await webgpuUnavailable();
  if (unavailable !== null) console.warn(`${NO_WEBGPU_MESSAGE}\n(${unavailable})`);
});

describe('TrainingSession on WebGPU (device-resident state)', () => {
  it.for(['lazy', 'dense'] as const)(
    'keeps its state on the device and matches the CPU EP within 1e-3 relative loss for 20 steps (%s embedding updates)',
    async (updates, ctx) => {
      if (unavailable !== null) return ctx.skip();
      const cpu = await single('cpu', { preset: 'full' }, updates);
      const gpu = await single('webgpu', { preset: 'full' }, updates);
      expect(gpu.residency).toBe('device');
      const live = gpu.liveDeviceTensors;
      try {
        for (let s = 0; s < 20; s++) {
          const b = batch(s);
          const [c, g] = [await cpu.trainStep(b), await gpu.trainStep(b)];
          expect(g.applied).toBe(true);
          expect(Math.abs(g.loss - c.loss) / Math.abs(c.loss)).toBeLessThan(1e-3);
          // Up: the batch itself plus the step scalars and 2 seeds per dropout site; down: the losses.
          expect(g.transfer.hostToDeviceBytes).toBeLessThanOrEqual(batchBytes(b) + 4096);
          expect(g.transfer.deviceToHostBytes).toBeLessThanOrEqual(4096);
          expect(gpu.liveDeviceTensors).toBe(live);
        }
        const [pc, pg] = [cpu.getParameters(), await gpu.readParameters()];
        for (const [name, data] of pc) {
          const other = pg.get(name)!;
          let worst = 0;
          for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i]! - other[i]!));
          // Adam moves a parameter whose gradient is at noise level by ~lr whatever the gradient's sign.
          expect(worst, name).toBeLessThan(3 * schedule.lr);
        }
      } finally {
        await cpu.release();
        await gpu.release();
      }
    },
  );

  it('owns every device tensor: the live count stays flat over 100 steps and is 0 after release', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const gpu = await single('webgpu', { preset: 'heads-only' });
    const start = gpu.liveDeviceTensors;
    expect(start).toBeGreaterThan(0);
    for (let s = 0; s < 100; s++) {
      await gpu.trainStep(batch(s));
      expect(gpu.liveDeviceTensors).toBe(start);
    }
    await gpu.readState();
    expect(gpu.liveDeviceTensors).toBe(start);
    await gpu.release();
    expect(gpu.liveDeviceTensors).toBe(0);
  });

  it('resumes from state read back from the device with the losses of an uninterrupted run', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const straight = await single('webgpu');
    const losses: number[] = [];
    for (let s = 0; s < 8; s++) losses.push((await straight.trainStep(batch(s))).loss);
    await straight.release();

    const first = await single('webgpu');
    for (let s = 0; s < 4; s++) await first.trainStep(batch(s));
    const saved = await first.readState();
    await first.release();
    const resumed = await single('webgpu');
    await resumed.loadState(saved);
    expect(resumed.step).toBe(4);
    for (let s = 4; s < 8; s++) expect((await resumed.trainStep(batch(s))).loss).toBeCloseTo(losses[s]!, 5);
    await resumed.release();
  });

  it('accumulates gradients on the device as the CPU EP does', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const ag = buildModelAccumulationGraphs({
      model,
      freeze: { preset: 'full' },
      clipNorm: 1,
      dropout: DEFAULT_DROPOUT,
      dropoutMasks: 'generated',
    });
    const open = (device: 'cpu' | 'webgpu') =>
      AccumulatingSession.create({
        gradientBytes: ag.gradient.bytes,
        updateBytes: ag.update.bytes,
        layout: ag.layout,
        microBatches: 3,
        adamw,
        schedule,
        params: params(),
        seed: 5,
        device,
        threads: 1,
      });
    const cpu = await open('cpu');
    const gpu = await open('webgpu');
    const live = gpu.liveDeviceTensors;
    for (let s = 0; s < 5; s++) {
      const micro = [batch(3 * s), batch(3 * s + 1), batch(3 * s + 2)].slice(0, s === 4 ? 2 : 3);
      const [c, g] = [await cpu.trainStep(micro), await gpu.trainStep(micro)];
      expect(Math.abs(g.loss - c.loss) / c.loss).toBeLessThan(1e-3);
      expect(Math.abs(g.gradNorm - c.gradNorm) / c.gradNorm).toBeLessThan(1e-3);
      expect(g.transfer.hostToDeviceBytes).toBeLessThanOrEqual(micro.reduce((a, b) => a + batchBytes(b), 0) + 4096);
      expect(g.transfer.deviceToHostBytes).toBeLessThanOrEqual(4096);
      expect(gpu.liveDeviceTensors).toBe(live);
    }
    await cpu.release();
    await gpu.release();
    expect(gpu.liveDeviceTensors).toBe(0);
  });
});
