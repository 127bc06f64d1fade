/**
 * `npm run gpu:check -- [--json] [--batch 32] [--seq 128] [--steps 10] [--devices webgpu,cuda] [--software]`
 *
 * One prepared check for a machine with a GPU (and for Mesa's lavapipe here). For each GPU execution
 * provider this onnxruntime-node build has: can it open, what adapter (WebGPU: hardware or software),
 * parity against the CPU EP (tiny BERT logits; 20 training steps' losses with the same seed and generated
 * dropout masks), node placement of the MiniLM-shaped training graph (compute nodes on the CPU, copies to
 * the host inside a step), host<->device bytes per step, and MiniLM full and heads-only training samples/s
 * at B x T with random weights, beside the CPU EP's and PyTorch CUDA's (when .venv has a CUDA torch).
 * A software adapter gets parity and placement but no speed run unless --software (it is ~40x slower than
 * the CPU EP and says nothing about a GPU). Prints one JSON object (--json) or a short table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { loadPredictor, sessionFeeds } from '../src-main/engine/infer';
import { writeTinyCheckpoint } from '../src-main/engine/infer/testing';
import {
  buildModelTrainingGraph,
  DEFAULT_DROPOUT,
  encoderParamSpecs,
  type FreezePreset,
  initEncoder,
  initHeads,
  randomTensors,
} from '../src-main/engine/model';
import { TINY_DIMS } from '../src-main/engine/model/testing';
import {
  detectWebGpuAdapter,
  type Device,
  hostTensor,
  type HostTensor,
  probePlacement,
  TrainingSession,
  trainingOutputLocations,
  type WebGpuAdapterKind,
} from '../src-main/engine/runtime';
import { MINILM_DIMS, MINILM_SPEC } from './minilm';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    devices: { type: 'string' },
    software: { type: 'boolean', default: false },
    'no-cpu': { type: 'boolean', default: false },
  },
});
const B = Number(args.batch);
const T = Number(args.seq);
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const ROOT = path.join(import.meta.dirname, '..');
const PYTHON = path.join(ROOT, '.venv/bin/python');
const log = (msg: string): void => void process.stderr.write(`[gpu:check] ${msg}\n`);

interface DeviceResult {
  readonly device: Device;
  readonly adapter: WebGpuAdapterKind | 'n/a';
  readonly opened: boolean;
  readonly error?: string;
  readonly parity?: { readonly maxAbsLogitDiff: number; readonly lossRelDiff20Steps: number };
  readonly placement?: {
    readonly cpuComputeNodes: number;
    readonly memcpyToHostPerStep: number;
    readonly cpuComputeOps: string[];
  };
  readonly transfer?: { readonly hostToDeviceBytesPerStep: number; readonly deviceToHostBytesPerStep: number };
  readonly samplesPerSec?: { readonly full: number; readonly headsOnly: number } | null;
  readonly torchCudaSamplesPerSec?: number | null;
}

// A MiniLM-shaped batch: ids spread over the vocabulary, every task labelled.
function minilmBatch(): Record<string, HostTensor> {
  const ids = BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T === 0 ? 101 : 1000 + ((i * 7919) % 20000)));
  return {
    input_ids: hostTensor('int64', ids, [B, T]),
    attention_mask: hostTensor('float32', new Float32Array(B * T).fill(1), [B, T]),
    class_labels: hostTensor(
      'int32',
      Int32Array.from({ length: B }, (_, i) => i % MINILM_SPEC.numClasses),
      [B],
    ),
    ner_labels: hostTensor(
      'int32',
      Int32Array.from({ length: B * T }, (_, i) => i % MINILM_SPEC.numNerLabels),
      [B, T],
    ),
  };
}

async function minilmSession(device: Device, preset: FreezePreset): Promise<TrainingSession> {
  const built = buildModelTrainingGraph({
    model: MINILM_SPEC,
    freeze: { preset },
    clipNorm: 1,
    dropout: DEFAULT_DROPOUT,
    dropoutMasks: device === 'cpu' ? 'host' : 'generated',
  });
  const enc = initEncoder(MINILM_DIMS, 1);
  const heads = initHeads(MINILM_DIMS.hiddenSize, MINILM_SPEC.numClasses, MINILM_SPEC.numNerLabels, 2);
  const params = new Map([...enc, ...heads].map(([n, t]) => [n, t.data]));
  return TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 5e-5 },
    params,
    adoptParams: true,
    seed: 1,
    device,
  });
}

async function speed(
  device: Device,
  preset: FreezePreset,
): Promise<{ samplesPerSec: number; transfer: DeviceResult['transfer'] }> {
  const session = await minilmSession(device, preset);
  try {
    const batch = minilmBatch();
    for (let i = 0; i < WARMUP; i++) await session.trainStep(batch);
    const t0 = performance.now();
    let last;
    for (let i = 0; i < STEPS; i++) last = await session.trainStep(batch);
    const seconds = (performance.now() - t0) / 1000;
    return {
      samplesPerSec: (STEPS * B) / seconds,
      transfer: {
        hostToDeviceBytesPerStep: last!.transfer.hostToDeviceBytes,
        deviceToHostBytesPerStep: last!.transfer.deviceToHostBytes,
      },
    };
  } finally {
    await session.release();
  }
}

async function lossParity(device: Device): Promise<number> {
  const model = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' as const };
  const built = buildModelTrainingGraph({
    model,
    freeze: { preset: 'full' },
    clipNorm: 1,
    dropout: DEFAULT_DROPOUT,
    dropoutMasks: 'generated',
  });
  const enc = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
  const heads = initHeads(TINY_DIMS.hiddenSize, 3, 5, 12, 0.02);
  const open = (d: Device) =>
    TrainingSession.create({
      bytes: built.bytes,
      layout: built.layout,
      adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
      schedule: { kind: 'constant', lr: 3e-3 },
      params: new Map([...enc, ...heads].map(([n, t]) => [n, t.data])),
      seed: 5,
      device: d,
    });
  const [cpu, gpu] = [await open('cpu'), await open(device)];
  let worst = 0;
  try {
    for (let s = 0; s < 20; s++) {
      const ids = BigInt64Array.from({ length: 4 * 8 }, (_, i) =>
        BigInt(i % 8 === 0 ? 2 : 4 + ((s * 13 + i * 7) % 40)),
      );
      const batch = {
        input_ids: hostTensor('int64', ids, [4, 8]),
        attention_mask: hostTensor('float32', new Float32Array(32).fill(1), [4, 8]),
        class_labels: hostTensor('int32', Int32Array.from([0, 1, 2, s % 3]), [4]),
        ner_labels: hostTensor(
          'int32',
          Int32Array.from({ length: 32 }, (_, i) => (i + s) % 5),
          [4, 8],
        ),
      };
      const [a, b] = [await cpu.trainStep(batch), await gpu.trainStep(batch)];
      worst = Math.max(worst, Math.abs(a.loss - b.loss) / Math.abs(a.loss));
    }
  } finally {
    await cpu.release();
    await gpu.release();
  }
  return worst;
}

async function logitParity(device: Device): Promise<number> {
  const root = mkdtempSync(path.join(tmpdir(), 'mts-gpu-check-'));
  try {
    const dir = writeTinyCheckpoint(root, {
      classes: ['a', 'b', 'c'],
      tags: ['O', 'B-PER', 'I-PER'],
      maxPositions: 64,
      maxLength: 48,
      seed: 3,
      headSeed: 4,
    });
    const [cpu, gpu] = [
      await loadPredictor(dir, { session: { device: 'cpu' } }),
      await loadPredictor(dir, { session: { device } }),
    ];
    const [b, t] = [4, 24];
    const ids = BigInt64Array.from({ length: b * t }, (_, i) => BigInt(i % t === 0 ? 2 : 4 + ((i * 7) % 20)));
    const batch = {
      batch: b,
      seq: t,
      inputIds: ids,
      attentionMask: new BigInt64Array(b * t).fill(1n),
      tokenTypeIds: new BigInt64Array(b * t),
    };
    const [x, y] = [
      await cpu.session.run(sessionFeeds(cpu.session, batch)),
      await gpu.session.run(sessionFeeds(gpu.session, batch)),
    ];
    await cpu.release();
    await gpu.release();
    let worst = 0;
    for (const name of ['class_logits', 'token_logits']) {
      const [u, v] = [x[name]!.data as Float32Array, y[name]!.data as Float32Array];
      for (let i = 0; i < u.length; i++) worst = Math.max(worst, Math.abs(u[i]! - v[i]!));
    }
    return worst;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function torchCuda(): number | null {
  if (!existsSync(PYTHON)) return null;
  try {
    const cuda = execFileSync(PYTHON, ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' });
    if (cuda.trim() !== 'True') return null;
    const out = execFileSync(
      PYTHON,
      [
        path.join(ROOT, 'scripts/ref/bench_torch_train.py'),
        '--device',
        'cuda',
        '--dims',
        JSON.stringify(MINILM_DIMS),
        '--batch',
        String(B),
        '--seq',
        String(T),
        '--steps',
        String(STEPS),
        '--warmup',
        String(WARMUP),
      ],
      { encoding: 'utf8' },
    );
    return (JSON.parse(out.trim().split('\n').at(-1)!) as { samples_per_s: number }).samples_per_s;
  } catch (e) {
    log(`PyTorch CUDA reference failed: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

async function checkDevice(device: Device): Promise<DeviceResult> {
  const adapter = device === 'webgpu' ? await detectWebGpuAdapter() : null;
  const adapterKind = adapter?.kind ?? 'n/a';
  if (adapter?.kind === 'none') return { device, adapter: 'none', opened: false, error: adapter.error ?? 'no adapter' };
  try {
    log(`${device}: parity`);
    const parity = { maxAbsLogitDiff: await logitParity(device), lossRelDiff20Steps: await lossParity(device) };
    log(`${device}: placement of the MiniLM training graph`);
    const built = buildModelTrainingGraph({
      model: MINILM_SPEC,
      freeze: { preset: 'full' },
      clipNorm: 1,
      dropout: DEFAULT_DROPOUT,
      dropoutMasks: 'generated',
    });
    const report = await probePlacement(
      built.bytes,
      device,
      device === 'webgpu' ? { outputLocations: trainingOutputLocations(built.layout) } : {},
    );
    const placement = {
      cpuComputeNodes: report.cpuComputeNodes.length,
      memcpyToHostPerStep: report.memcpyToHost.length,
      cpuComputeOps: report.cpuComputeNodes.map((n) => `${n.opType} (${n.name})`),
    };
    if (adapterKind === 'software' && !args.software) {
      log(`${device}: software adapter, no speed run (--software to force)`);
      return { device, adapter: adapterKind, opened: true, parity, placement, samplesPerSec: null };
    }
    log(`${device}: MiniLM full, B${B} x T${T}`);
    const full = await speed(device, 'full');
    log(`${device}: MiniLM heads-only`);
    const headsOnly = await speed(device, 'heads-only');
    const torch = device === 'cuda' || device === 'webgpu' ? torchCuda() : null;
    return {
      device,
      adapter: adapterKind,
      opened: true,
      parity,
      placement,
      transfer: full.transfer,
      samplesPerSec: { full: full.samplesPerSec, headsOnly: headsOnly.samplesPerSec },
      torchCudaSamplesPerSec: torch,
    };
  } catch (e) {
    return { device, adapter: adapterKind, opened: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const available = ort.listSupportedBackends().map((b) => b.name as Device);
const GPU_PROVIDERS: readonly Device[] = ['cuda', 'dml', 'webgpu', 'coreml'];
const devices =
  (args.devices?.split(',') as Device[] | undefined) ?? available.filter((d) => GPU_PROVIDERS.includes(d));
const results: DeviceResult[] = [];
for (const d of devices) results.push(await checkDevice(d));
let cpu: { full: number; headsOnly: number } | null = null;
if (!args['no-cpu']) {
  log(`cpu: MiniLM full and heads-only, B${B} x T${T}`);
  cpu = {
    full: (await speed('cpu', 'full')).samplesPerSec,
    headsOnly: (await speed('cpu', 'heads-only')).samplesPerSec,
  };
}
const summary = {
  ortVersion: ort.env.versions.node ?? ort.env.versions.common,
  batch: B,
  seq: T,
  steps: STEPS,
  backends: available,
  cpuSamplesPerSec: cpu,
  devices: results,
};
if (args.json) console.log(JSON.stringify(summary, null, 2));
else {
  for (const r of results) {
    console.log(`${r.device} (${r.adapter}): ${r.opened ? 'opened' : `not usable: ${r.error}`}`);
    if (r.parity)
      console.log(
        `  parity: logits ${r.parity.maxAbsLogitDiff.toExponential(2)}, loss ${r.parity.lossRelDiff20Steps.toExponential(2)} (20 steps)`,
      );
    if (r.placement)
      console.log(
        `  placement: ${r.placement.cpuComputeNodes} compute nodes on the CPU, ${r.placement.memcpyToHostPerStep} copies to the host per step`,
      );
    if (r.transfer)
      console.log(
        `  transfer per step: up ${r.transfer.hostToDeviceBytesPerStep} B, down ${r.transfer.deviceToHostBytesPerStep} B`,
      );
    if (r.samplesPerSec)
      console.log(
        `  samples/s: full ${r.samplesPerSec.full.toFixed(1)}, heads-only ${r.samplesPerSec.headsOnly.toFixed(1)}; PyTorch CUDA ${r.torchCudaSamplesPerSec?.toFixed(1) ?? 'n/a'}`,
      );
  }
  if (cpu) console.log(`cpu: samples/s full ${cpu.full.toFixed(1)}, heads-only ${cpu.headsOnly.toFixed(1)}`);
}
// Dawn's threads can keep the event loop alive after the answer is known.
process.exit(0);
