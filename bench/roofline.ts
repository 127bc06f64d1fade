/**
 * The compute ceiling of this CPU for a BERT encoder, measured in the bench's own process: the best fp32
 * GEMM rate onnxruntime reaches at the benchmark's thread count on the encoder's own matrix shapes, and the
 * FLOPs a sample costs. samples/s can never exceed gemmGflops / gflopsPerSample (every encoder FLOP is a
 * GEMM FLOP or less efficient), so `maxRatioOverTorch` bounds any speed-up over a measured PyTorch rate.
 */
import type { BertDims } from '../src-main/engine/model';
import { Graph, op, serializeModel } from '../src-main/engine/onnx';
import { createSession, hostTensor } from '../src-main/engine/runtime';

/** Forward FLOPs of one token through the encoder at padded length `seq` (2 per multiply-add). */
export function encoderFlopsPerToken(d: BertDims, seq: number): number {
  const h = d.hiddenSize;
  const perLayer = 2 * h * 3 * h + 2 * h * h + 2 * 2 * h * d.intermediateSize + 2 * 2 * seq * h; // QKV, out, FFN, QK^T + PV
  return d.numLayers * perLayer;
}

export type Work = 'inference' | 'train-full' | 'train-heads-only';

/** FLOPs per sample: inference and a frozen encoder run the forward once; full training adds dX and dW GEMMs. */
export function flopsPerSample(d: BertDims, meanPaddedLength: number, work: Work): number {
  const forward = encoderFlopsPerToken(d, meanPaddedLength) * meanPaddedLength;
  return work === 'train-full' ? 3 * forward : forward;
}

/**
 * Best GFLOP/s of one ORT MatMul [rows, k] x [k, n] over the encoder's shapes, with the weight fed (as in
 * training) and as an initializer (prepacked, as in inference).
 */
export async function measureGemmGflops(d: BertDims, rows: number, threads: number, repeats = 8): Promise<number> {
  const h = d.hiddenSize;
  const shapes: readonly [number, number][] = [
    [h, d.intermediateSize],
    [d.intermediateSize, h],
    [h, 3 * h],
  ];
  let best = 0;
  for (const [k, n] of shapes) {
    for (const prepacked of [false, true]) {
      best = Math.max(best, await gemmRate(rows, k, n, prepacked, threads, repeats));
    }
  }
  return best;
}

async function gemmRate(
  rows: number,
  k: number,
  n: number,
  prepacked: boolean,
  threads: number,
  repeats: number,
): Promise<number> {
  const g = new Graph('gemm');
  const a = g.input('a', 'float32', [rows, k]);
  const weights = Float32Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) / 11);
  const b = prepacked
    ? g.constant({ dtype: 'float32', dims: [k, n], data: weights }, 'b')
    : g.input('b', 'float32', [k, n]);
  g.output(op.matMul(g, a, b), 'c');
  const session = await createSession(serializeModel(g), { device: 'cpu', threads });
  const feeds = {
    a: hostTensor(
      'float32',
      Float32Array.from({ length: rows * k }, (_, i) => ((i * 7) % 13) / 13),
      [rows, k],
    ),
    ...(prepacked ? {} : { b: hostTensor('float32', weights, [k, n]) }),
  };
  let best = 0;
  await session.run(feeds);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await session.run(feeds);
    best = Math.max(best, (2 * rows * k * n) / ((performance.now() - t0) / 1000) / 1e9);
  }
  await session.release();
  return best;
}

/** The ceiling for one workload, and what it means for a target ratio over PyTorch. */
export function roofline(
  d: BertDims,
  gemmGflops: number,
  meanPaddedLength: number,
  work: Work,
  measured: { ours: number; torch: number | null },
): Record<string, number | string | null> {
  const gflops = flopsPerSample(d, meanPaddedLength, work) / 1e9;
  const maxSamplesPerSec = gemmGflops / gflops;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    work,
    gemmGflops: round(gemmGflops),
    gflopsPerSample: round(gflops),
    maxSamplesPerSecAtGemmPeak: round(maxSamplesPerSec),
    oursFractionOfPeak: round(measured.ours / maxSamplesPerSec),
    torchFractionOfPeak: measured.torch ? round(measured.torch / maxSamplesPerSec) : null,
    maxRatioOverTorch: measured.torch ? round(maxSamplesPerSec / measured.torch) : null,
  };
}
