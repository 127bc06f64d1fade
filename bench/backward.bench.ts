/**
 * How much the backward pass costs next to the forward pass, for one MiniLM-sized BERT layer (hidden, heads
 * and FFN from ./minilm.ts; B 8 x T 64) with embeddings and a token classifier. The backward graph outputs the
 * loss and the global squared gradient norm (what clipping reads), so gradients are consumed in-graph and
 * not copied to JS. The vocabulary is 1,000 rows so that one layer is not dwarfed by the embedding table.
 * Both graphs run in the same process on the CPU EP with default optimisations, interleaved, so the ratio
 * holds on a busy machine where absolute times do not.
 * Run: npm run bench:backward
 */
import * as ort from 'onnxruntime-node';
import { grad } from '../src-main/engine/autodiff';
import {
  type BlockDims,
  forwardGraph,
  initialParams,
  type TinyModel,
  tinyTransformer,
} from '../src-main/engine/autodiff/check';
import { Graph, op, serializeModel, type Value } from '../src-main/engine/onnx';
import { MINILM_DIMS, MINILM_SPEC } from './minilm';

const MINILM_LAYER: BlockDims = {
  hidden: MINILM_DIMS.hiddenSize,
  heads: MINILM_DIMS.numHeads,
  ffn: MINILM_DIMS.intermediateSize,
  vocab: 1000,
  classes: MINILM_SPEC.numNerLabels,
  batch: 8,
  seq: 64,
};

/** forward -> loss -> every gradient -> sum of squares (one scalar output besides the loss). */
function backwardGraph(model: TinyModel): Graph {
  const g = new Graph('backward');
  const p = Object.fromEntries(model.params.map((q) => [q.name, g.input(q.name, 'float32', q.dims)]));
  const loss = model.forward(g, p);
  g.output(loss, 'loss');
  const grads = grad(
    g,
    loss,
    model.params.map((q) => q.name),
  );
  const squares = [...grads.values()].map((v: Value) => op.reduceSum(g, op.mul(g, v, v), [...v.shape.keys()], false));
  g.output(
    squares.reduce((a, b) => op.add(g, a, b)),
    'grad_norm_sq',
  );
  return g;
}
const RUNS = 7;

async function medianMs(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<number> {
  const picked = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!]));
  await session.run(picked); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await session.run(picked);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!;
}

async function main(): Promise<void> {
  const model = tinyTransformer(1, MINILM_LAYER);
  const feeds = { ...model.batch, ...initialParams(model, 2) };
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 2 };
  const fwd = await ort.InferenceSession.create(serializeModel(forwardGraph(model)), options);
  const step = await ort.InferenceSession.create(serializeModel(backwardGraph(model)), options);
  // Interleave so that load from other processes hits both alike.
  const f1 = await medianMs(fwd, feeds);
  const s1 = await medianMs(step, feeds);
  const f2 = await medianMs(fwd, feeds);
  const s2 = await medianMs(step, feeds);
  const [f, s] = [Math.min(f1, f2), Math.min(s1, s2)];
  console.log(`forward ${f.toFixed(1)} ms, forward+backward ${s.toFixed(1)} ms (median of ${RUNS}, best of 2 rounds)`);
  console.log(
    `forward+backward / forward = ${(s / f).toFixed(2)} (about 3 is typical: each forward MatMul needs two in the backward)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
