import { grad } from '../autodiff';
import { dropoutSites, type DropoutSiteInfo } from '../dropout';
import { Graph, type Shape, serializeModel, type Value } from '../onnx';
import { addAdamW, type AdamWConfig, GRAD_NORM_OUTPUT, STEP_INPUT, stateNames } from '../optim';
import { TrainingGraphError } from './errors';
import { batchInputsOf, checkLoss, checkNames, declareExtraOutputs, declareParams, LOSS_OUTPUT } from './parts';

export { LOSS_OUTPUT };

/** A parameter the optimizer updates; `decay` marks weights that get weight decay (>= 2-D, not LayerNorm). */
export interface TrainableSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly decay: boolean;
}

/** A parameter fed as an input but never updated (no gradient is built for it). */
export interface FrozenSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What a forward builder returns: the scalar loss and optional extra outputs (logits, loss parts). */
export interface ForwardResult {
  readonly loss: Value;
  readonly outputs?: Readonly<Record<string, Value>>;
}

/** Builds the forward pass on `g` from parameter Values; declares its own batch inputs with g.input. */
export type ForwardBuilder = (g: Graph, params: ReadonlyMap<string, Value>) => ForwardResult;

export type TrainingDType = 'float32' | 'float64';

export interface TrainingGraphSpec {
  readonly forward: ForwardBuilder;
  readonly trainable: readonly TrainableSpec[];
  readonly frozen?: readonly FrozenSpec[];
  readonly adamw: AdamWConfig;
  /** Global gradient-norm clip threshold; null disables clipping. */
  readonly clipNorm: number | null;
  readonly dtype?: TrainingDType;
  readonly name?: string;
}

/** Graph input/output names by role, so the runtime never guesses from name patterns. */
export interface TrainingGraphLayout {
  readonly dtype: TrainingDType;
  /** Trainable parameters in update order, with shapes and decay flags. */
  readonly trainable: readonly TrainableSpec[];
  readonly frozen: readonly FrozenSpec[];
  /** Inputs the forward builder declared (input_ids, labels, masks ...), with their declared shapes. */
  readonly batchInputs: readonly { readonly name: string; readonly dtype: string; readonly shape: Shape }[];
  readonly scalarInputs: { readonly lr: string; readonly biasCorrection1: string; readonly biasCorrection2: string };
  readonly dropout: readonly DropoutSiteInfo[];
  readonly lossOutput: string;
  readonly gradNormOutput: string;
  /** Extra forward outputs (name in the graph). */
  readonly extraOutputs: readonly string[];
  /**
   * The update is a no-op for a non-finite step and runs after every gradient (AdamWFragmentOptions
   * .guardNonFinite), so the runtime may write the updated parameters and moments over their inputs.
   */
  readonly inPlaceUpdates: boolean;
}

export interface TrainingGraph {
  readonly graph: Graph;
  readonly bytes: Uint8Array;
  readonly layout: TrainingGraphLayout;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Trainable parameter names in update order (the order of `${p}.new` outputs). */
  readonly paramOrder: readonly string[];
}

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
  const grads = grad(
    g,
    result.loss,
    spec.trainable.map((p) => params.get(p.name)!),
  );
  addAdamW(
    g,
    spec.trainable.map((p) => ({ name: p.name, param: params.get(p.name)!, grad: grads.get(p.name)!, decay: p.decay })),
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

export interface EvalGraphSpec {
  readonly forward: (g: Graph, params: ReadonlyMap<string, Value>) => Readonly<Record<string, Value>>;
  readonly params: readonly FrozenSpec[];
  readonly dtype?: TrainingDType;
  readonly name?: string;
}

export interface EvalGraph {
  readonly graph: Graph;
  readonly bytes: Uint8Array;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
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

export { stateNames };
