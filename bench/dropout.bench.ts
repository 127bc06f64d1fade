/**
 * Cost of fed-in dropout at MiniLM size (./minilm.ts; default B32 x T128): host mask generation for every
 * site of the multi-task model (embeddings, per layer attention probs [B,heads,T,T] + attention output +
 * FFN output [B,T,hidden], both heads), and the in-graph apply ops (one Mul per site for 'scaled' masks,
 * Mul + Where for 'bool'; the backward pass runs the same ops again) measured against the same graph
 * without dropout. Prints JSON.
 *
 * Run: npm run bench:dropout -- [--batch 32] [--seq 128] [--threads 2] [--reps 5] [--mask scaled|bool]
 */
import * as ort from 'onnxruntime-node';
import { parseArgs } from 'node:util';
import {
  applyDropout,
  DropoutMasks,
  type DropoutSiteInfo,
  dropoutSites,
  type FilledMask,
  type MaskKind,
} from '../src-main/engine/dropout';
import { Graph, op, serializeModel, type Value } from '../src-main/engine/onnx';
import { MINILM_DIMS } from './minilm';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    threads: { type: 'string', default: '2' },
    reps: { type: 'string', default: '5' },
    mask: { type: 'string', default: 'scaled' },
  },
});
const B = Number(values.batch);
const T = Number(values.seq);
const H = MINILM_DIMS.hiddenSize;
const HEADS = MINILM_DIMS.numHeads;
const LAYERS = MINILM_DIMS.numLayers;

/** The model's dropout sites as (name, shape) pairs. */
function siteShapes(): { name: string; shape: number[] }[] {
  const sites = [{ name: 'emb', shape: [B, T, H] }];
  for (let l = 0; l < LAYERS; l++) {
    sites.push({ name: `l${l}.attn_probs`, shape: [B, HEADS, T, T] });
    sites.push({ name: `l${l}.attn_out`, shape: [B, T, H] }, { name: `l${l}.ffn_out`, shape: [B, T, H] });
  }
  sites.push({ name: 'head.cls', shape: [B, H] }, { name: 'head.ner', shape: [B, T, H] });
  return sites;
}

/** One graph with every site: x_i -> (dropout) -> ReduceSum, so outputs stay tiny. */
function buildGraph(rate: number): { bytes: Uint8Array; sites: readonly DropoutSiteInfo[] } {
  const g = new Graph(rate > 0 ? 'with_dropout' : 'without');
  for (const s of siteShapes()) {
    const x: Value = g.input(`x.${s.name}`, 'float32', s.shape);
    const y = applyDropout(g, x, s.name, rate, { mask: values.mask as MaskKind });
    g.output(
      op.reduceSum(
        g,
        y,
        s.shape.map((_, i) => i),
        false,
      ),
      `sum.${s.name}`,
    );
  }
  return { bytes: serializeModel(g), sites: dropoutSites(g) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const reps = Number(values.reps);
  const opts = { intraOpNumThreads: Number(values.threads), interOpNumThreads: 1 };
  const withD = buildGraph(0.1);
  const without = buildGraph(0);
  const [sWith, sWithout] = await Promise.all([
    ort.InferenceSession.create(withD.bytes, opts),
    ort.InferenceSession.create(without.bytes, opts),
  ]);
  const xs: Record<string, ort.Tensor> = {};
  for (const s of siteShapes()) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    xs[`x.${s.name}`] = new ort.Tensor('float32', new Float32Array(n).fill(0.5), s.shape);
  }
  const masks = new DropoutMasks(withD.sites, 1);
  const maskTensors = new Map<FilledMask['data'], ort.Tensor>();
  const fillMs: number[] = [];
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    const filled = masks.fill(r, (d) => Number(d));
    const t1 = performance.now();
    const feeds: Record<string, ort.Tensor> = { ...xs };
    for (const [name, m] of filled) {
      let t = maskTensors.get(m.data);
      if (!t) maskTensors.set(m.data, (t = new ort.Tensor(m.dtype, m.data, m.dims)));
      feeds[name] = t;
    }
    const t2 = performance.now();
    await sWith.run(feeds);
    const t3 = performance.now();
    await sWithout.run(xs);
    const t4 = performance.now();
    if (r === 0) continue; // warmup
    fillMs.push(t1 - t0);
    withMs.push(t3 - t2);
    withoutMs.push(t4 - t3);
  }
  const elements = siteShapes().reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  const forwardApplyMs = median(withMs) - median(withoutMs);
  console.log(
    JSON.stringify(
      {
        shape: { batch: B, seq: T, sites: withD.sites.length, maskElements: elements },
        mask: values.mask,
        maskMiB: Number(((elements * (values.mask === 'bool' ? 1 : 4)) / 2 ** 20).toFixed(1)),
        hostMaskFillMsPerStep: Number(median(fillMs).toFixed(1)),
        graphForwardApplyMsPerStep: Number(forwardApplyMs.toFixed(1)),
        estimatedBackwardApplyMsPerStep: Number(forwardApplyMs.toFixed(1)),
        estimatedTotalMsPerStep: Number((median(fillMs) + 2 * forwardApplyMs).toFixed(1)),
        note: 'the backward pass runs the same op(s) per site, so it is estimated equal to the forward apply cost',
        reps,
      },
      null,
      2,
    ),
  );
}

await main();
