import { grad } from '../autodiff';
import { dropoutSites } from '../dropout';
import { Graph, op, serializeModel, type Value } from '../onnx';
import { addAdamW, GRAD_NORM_OUTPUT, STEP_INPUT } from '../optim';
import type { TrainingGraphLayout, TrainingGraphSpec } from './types';
import { TrainingGraphError } from './errors';
import { batchInputsOf, checkLoss, checkNames, declareExtraOutputs, declareParams, LOSS_OUTPUT } from './parts';

/** Rank-0 input of the gradient graph: this micro-batch's weight in the step (1/n for n micro-batches). */
export const ACCUM_SCALE_INPUT = 'accum.scale';

/** Graph names of a trainable parameter's gradient accumulator. */
export function gradAccNames(param: string): { readonly acc: string; readonly newAcc: string } {
  // `acc` is an input of both graphs (running sum in, summed gradient into the update); `newAcc` an output.
  return { acc: `${param}.grad_acc`, newAcc: `${param}.grad_acc.new` };
}

/** A training graph's layout plus the accumulation scale input; step scalars and grad norm live in the update graph. */
export interface AccumulationLayout extends TrainingGraphLayout {
  readonly scaleInput: string;
}

/** One serialised graph and its I/O names. */
export interface GraphPart {
  readonly graph: Graph;
  readonly bytes: Uint8Array;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/** The two graphs of an accumulated optimizer step. */
export interface AccumulationGraphs {
  /**
   * Forward + backward of one micro-batch. Inputs: batch, every parameter, dropout masks, `${p}.grad_acc`
   * and `accum.scale`; outputs: `loss` (unscaled), the forward's extra outputs and
   * `${p}.grad_acc.new` = acc + scale * dLoss/dp.
   */
  readonly gradient: GraphPart;
  /**
   * Clipping + AdamW on the summed gradients. Inputs: trainable parameters, `${p}.adam_m`, `${p}.adam_v`,
   * `${p}.grad_acc`, step scalars; outputs `${p}.new`, `${p}.adam_m.new`, `${p}.adam_v.new`, `optim.grad_norm`.
   */
  readonly update: GraphPart;
  readonly layout: AccumulationLayout;
  /** Trainable parameter names in update order. */
  readonly paramOrder: readonly string[];
}

/**
 * Splits buildTrainingGraph's step in two for gradient accumulation, as PyTorch's loss/k + k backward passes +
 * one optimizer.step(): the gradient graph runs once per micro-batch and adds its scaled gradients to the
 * accumulators; the update graph then clips the sum and applies AdamW once. Only the gradient graph holds
 * activations, so the step's peak working memory is that of one micro-batch.
 */
export function buildAccumulationGraphs(spec: TrainingGraphSpec): AccumulationGraphs {
  const dtype = spec.dtype ?? 'float32';
  const frozen = spec.frozen ?? [];
  if (spec.trainable.length === 0) {
    throw new TrainingGraphError(
      'buildAccumulationGraphs: no trainable parameters. Unfreeze at least one parameter (e.g. a head).',
    );
  }
  checkNames(spec.trainable, frozen);
  if ((spec.lazyRows ?? []).length > 0) {
    throw new TrainingGraphError(
      `buildAccumulationGraphs: lazy row updates (lazyRows: ${spec.lazyRows!.join(', ')}) need the single-step graph; with gradient accumulation use dense updates (leave lazyRows out).`,
    );
  }
  const name = spec.name ?? 'train_step';
  const gradient = buildGradientGraph(spec, `${name}_grad`);
  const update = buildUpdateGraph(spec, `${name}_update`);
  return {
    gradient: part(gradient.graph),
    update: part(update),
    layout: {
      dtype,
      trainable: spec.trainable,
      frozen,
      batchInputs: gradient.batchInputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
      scalarInputs: STEP_INPUT,
      dropout: dropoutSites(gradient.graph),
      lossOutput: LOSS_OUTPUT,
      gradNormOutput: GRAD_NORM_OUTPUT,
      extraOutputs: gradient.extraOutputs,
      scaleInput: ACCUM_SCALE_INPUT,
      // The update graph cannot see the micro-batch losses the session checks, so it keeps two buffer sets.
      inPlaceUpdates: false,
    },
    paramOrder: spec.trainable.map((p) => p.name),
  };
}

function buildGradientGraph(
  spec: TrainingGraphSpec,
  name: string,
): { readonly graph: Graph; readonly batchInputs: readonly Value[]; readonly extraOutputs: readonly string[] } {
  const dtype = spec.dtype ?? 'float32';
  const g = new Graph(name);
  const params = declareParams(g, spec.trainable, spec.frozen ?? [], dtype);
  const result = spec.forward(g, params);
  const batchInputs = batchInputsOf(g, params);
  checkLoss(result.loss, dtype);
  g.output(result.loss, LOSS_OUTPUT);
  const extraOutputs = declareExtraOutputs(g, result.outputs);
  const scale = g.input(ACCUM_SCALE_INPUT, dtype, []);
  // Scaling the loss (one rank-0 Mul) scales every gradient for free, as PyTorch's loss / k does.
  const scaled = g.withScope('accum', () => op.mul(g, result.loss, scale)); // []
  const grads = grad(
    g,
    scaled,
    spec.trainable.map((p) => params.get(p.name)!),
    { gatherGradient: spec.embeddingGradient ?? 'scatter' },
  );
  g.withScope('accum', () => {
    for (const p of spec.trainable) {
      const names = gradAccNames(p.name);
      const acc = g.input(names.acc, dtype, p.shape);
      // The Add carries the output name, so no Identity copy is needed.
      const sum = g.addNode('Add', [acc, grads.get(p.name)!], [{ dtype, shape: acc.shape, name: names.newAcc }])[0]!;
      g.output(sum);
    }
  });
  return { graph: g, batchInputs, extraOutputs };
}

function buildUpdateGraph(spec: TrainingGraphSpec, name: string): Graph {
  const dtype = spec.dtype ?? 'float32';
  const g = new Graph(name);
  const params = spec.trainable.map((p) => ({
    name: p.name,
    param: g.input(p.name, dtype, p.shape),
    grad: g.input(gradAccNames(p.name).acc, dtype, p.shape),
    decay: p.decay,
    ...(p.lrScale !== undefined && { lrScale: p.lrScale }),
  }));
  addAdamW(g, params, spec.adamw, { clipNorm: spec.clipNorm });
  return g;
}

function part(g: Graph): GraphPart {
  return {
    graph: g,
    bytes: serializeModel(g),
    inputNames: g.inputs.map((v) => v.name),
    outputNames: g.outputs.map((v) => v.name),
  };
}
