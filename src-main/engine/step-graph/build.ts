import { grad } from '../autodiff';
import { dropoutSites } from '../dropout';
import { Graph, serializeModel } from '../onnx';
import { addAdamW, GRAD_NORM_OUTPUT, STEP_INPUT } from '../optim';
import { TrainingGraphError } from './errors';
import { declareLazyTables, rowGradient } from './lazy-rows';
import { batchInputsOf, checkLoss, checkNames, declareExtraOutputs, declareParams, LOSS_OUTPUT } from './parts';
import type { EvalGraph, EvalGraphSpec, TrainingGraph, TrainingGraphLayout, TrainingGraphSpec } from './types';

/**
 * Assembles forward -> loss -> gradients (trainable parameters only) -> global-norm clipping -> AdamW into one
 * graph. Frozen parameters are inputs with no backward nodes. Step scalars (lr, bias corrections) are inputs,
 * so one graph serves every step of any schedule.
 */
export function buildTrainingGraph(spec: TrainingGraphSpec): TrainingGraph {
  const dtype = spec.dtype ?? 'float32';
  const frozen = spec.frozen ?? [];
  if (spec.trainable.length === 0) {
    throw new TrainingGraphError(
      'buildTrainingGraph: no trainable parameters. Unfreeze at least one parameter (e.g. a head), or build an eval graph with buildEvalGraph.',
    );
  }
  checkNames(spec.trainable, frozen);
  const g = new Graph(spec.name ?? 'train_step');
  const params = declareParams(g, spec.trainable, frozen, dtype);
  const result = spec.forward(g, params);
  const batchInputs = batchInputsOf(g, params);
  checkLoss(result.loss, dtype);
  const lossOut = g.output(result.loss, LOSS_OUTPUT);
  const extraOutputs = declareExtraOutputs(g, result.outputs);
  const lazy = new Map(
    declareLazyTables(g, spec.lazyRows ?? [], params, spec.trainable).map((t) => [t.layout.param, t]),
  );
  // A lazy table's gradient is taken at its Gather's output and summed onto its rows (lazy-rows.ts).
  const wrt = spec.trainable.map((p) => lazy.get(p.name)?.gathered ?? params.get(p.name)!);
  const grads = grad(g, result.loss, wrt, { gatherGradient: spec.embeddingGradient ?? 'scatter' });
  addAdamW(
    g,
    spec.trainable.map((p, i) => {
      const t = lazy.get(p.name);
      const param = params.get(p.name)!;
      const gradient = grads.get(wrt[i]!.name)!;
      const lrScale = p.lrScale !== undefined ? { lrScale: p.lrScale } : {};
      return t
        ? { name: p.name, param, grad: rowGradient(g, t, gradient), decay: p.decay, rows: t.rows, ...lrScale }
        : { name: p.name, param, grad: gradient, decay: p.decay, ...lrScale };
    }),
    spec.adamw,
    { clipNorm: spec.clipNorm, guardNonFinite: { alsoCheck: [result.loss] } },
  );
  const layout: TrainingGraphLayout = {
    dtype,
    trainable: spec.trainable,
    frozen,
    batchInputs: batchInputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
    scalarInputs: STEP_INPUT,
    dropout: dropoutSites(g),
    lossOutput: lossOut.name,
    gradNormOutput: GRAD_NORM_OUTPUT,
    extraOutputs,
    inPlaceUpdates: true,
    ...(lazy.size > 0 && { lazyRows: [...lazy.values()].map((t) => t.layout) }),
  };
  return {
    graph: g,
    bytes: serializeModel(g),
    layout,
    inputNames: g.inputs.map((v) => v.name),
    outputNames: g.outputs.map((v) => v.name),
    paramOrder: spec.trainable.map((p) => p.name),
  };
}

/** Forward only: parameters as inputs, the named values as outputs (no loss, gradients or optimizer). */
export function buildEvalGraph(spec: EvalGraphSpec): EvalGraph {
  checkNames([], spec.params);
  const g = new Graph(spec.name ?? 'eval');
  const params = declareParams(g, [], spec.params, spec.dtype ?? 'float32');
  const outputs = spec.forward(g, params);
  if (Object.keys(outputs).length === 0) {
    throw new TrainingGraphError('buildEvalGraph: the forward builder returned no outputs; return e.g. { logits }.');
  }
  for (const [name, v] of Object.entries(outputs)) g.output(v, name);
  if (dropoutSites(g).length > 0) {
    throw new TrainingGraphError(
      'buildEvalGraph: the forward added dropout masks; pass rate 0 (or noDropout) for eval graphs.',
    );
  }
  return {
    graph: g,
    bytes: serializeModel(g),
    inputNames: g.inputs.map((v) => v.name),
    outputNames: g.outputs.map((v) => v.name),
  };
}
