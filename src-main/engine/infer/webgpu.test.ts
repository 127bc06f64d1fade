/**
 * WebGPU against the CPU EP for inference, and node placement of every graph the app runs on WebGPU
 * (training, accumulation, evaluation, inference): no compute node on the CPU, no copy to the host inside
 * a run. Runs on Mesa's lavapipe in CI; skipped with a message where WebGPU cannot open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildInferenceGraph,
  buildModelAccumulationGraphs,
  buildModelEvalGraph,
  buildModelTrainingGraph,
  DEFAULT_DROPOUT,
} from '../model';
import { TINY_DIMS } from '../model/testing';
import { serializeModel } from '../onnx';
import {
  accumulationGradientLocations,
  accumulationUpdateLocations,
  type PlacementReport,
  probePlacement,
  trainingOutputLocations,
} from '../runtime';
import { NO_WEBGPU_MESSAGE, webgpuUnavailable } from '../runtime/webgpu-testing';
import { checkpointModel } from './load';
import { sessionFeeds } from './runner';
import { loadPredictor } from './load';
import { loadCheckpoint } from '../model';
import { writeTinyCheckpoint } from './testing';

let unavailable: string | null = null;
let root = '';
beforeAll(async () => {
  unavailable = await webgpuUnavailable();
  if (unavailable !== null) console.warn(`${NO_WEBGPU_MESSAGE}\n(${unavailable})`);
  root = mkdtempSync(path.join(tmpdir(), 'mts-webgpu-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const classes = ['World', 'Sports', 'Business'];
const tags = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG'];

function expectClean(name: string, report: PlacementReport): void {
  expect(report.nodesByProvider['WebGpuExecutionProvider'], `${name}: nodes on WebGPU`).toBeGreaterThan(0);
  expect(report.cpuComputeNodes, `${name}: compute nodes on the CPU`).toEqual([]);
  expect(report.memcpyToHost, `${name}: device->host copies inside a run`).toEqual([]);
}

describe('WebGPU inference and node placement', () => {
  it('predicts logits within 1e-4 of the CPU EP', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const dir = writeTinyCheckpoint(path.join(root, 'p'), {
      classes,
      tags,
      maxPositions: 32,
      maxLength: 24,
      seed: 3,
      headSeed: 4,
    });
    const cpu = await loadPredictor(dir, { session: { device: 'cpu' } });
    const gpu = await loadPredictor(dir, { session: { device: 'webgpu' } });
    try {
      const B = 3;
      const T = 9;
      const ids = BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T === 0 ? 2 : 4 + ((i * 7) % 20)));
      const mask = BigInt64Array.from({ length: B * T }, (_, i) => (i % T < T - ((i / T) | 0) ? 1n : 0n));
      // Each session gets the feeds in its own convention (the GPU graph takes a float32 mask).
      const batch = { batch: B, seq: T, inputIds: ids, attentionMask: mask, tokenTypeIds: new BigInt64Array(B * T) };
      const [a, b] = [
        await cpu.session.run(sessionFeeds(cpu.session, batch)),
        await gpu.session.run(sessionFeeds(gpu.session, batch)),
      ];
      for (const name of ['class_logits', 'token_logits']) {
        const x = a[name]!.data as Float32Array;
        const y = b[name]!.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
        expect(worst, name).toBeLessThan(1e-4);
      }
    } finally {
      await cpu.release();
      await gpu.release();
    }
  });

  it('places every compute node of the training, accumulation, eval and inference graphs on WebGPU', async (ctx) => {
    if (unavailable !== null) return ctx.skip();
    const model = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' as const };
    const spec = {
      model,
      freeze: { preset: 'full' as const },
      clipNorm: 1,
      dropout: DEFAULT_DROPOUT,
      dropoutMasks: 'generated' as const,
    };
    const train = buildModelTrainingGraph(spec);
    expectClean(
      'training',
      await probePlacement(train.bytes, 'webgpu', { outputLocations: trainingOutputLocations(train.layout) }),
    );
    const acc = buildModelAccumulationGraphs(spec);
    expectClean(
      'gradient',
      await probePlacement(acc.gradient.bytes, 'webgpu', {
        outputLocations: accumulationGradientLocations(acc.layout),
      }),
    );
    expectClean(
      'update',
      await probePlacement(acc.update.bytes, 'webgpu', { outputLocations: accumulationUpdateLocations(acc.layout) }),
    );
    expectClean('eval', await probePlacement(buildModelEvalGraph(model).bytes, 'webgpu'));
    const dir = writeTinyCheckpoint(path.join(root, 'q'), {
      classes,
      tags,
      maxPositions: 32,
      maxLength: 24,
      seed: 3,
      headSeed: 4,
    });
    const { spec: inferSpec, store } = checkpointModel(loadCheckpoint(dir));
    const inference = buildInferenceGraph(inferSpec, store, { maskDtype: 'float32' }); // as createInferenceSession on a GPU
    const report = await probePlacement(serializeModel(inference), 'webgpu');
    expectClean('inference', report);
    expect(
      report.cpuNodes.filter((n) => n.opType === 'Cast'),
      'no Cast of host data on the CPU',
    ).toEqual([]);
  });
});
