import { grad } from '../autodiff';
import { dropoutSites, type DropoutSiteInfo } from '../dropout';
import { Graph, type Shape, serializeModel, type Value } from '../onnx';
import { addAdamW, type AdamWConfig, GRAD_NORM_OUTPUT, STEP_INPUT, stateNames } from '../optim';
import { TrainingGraphError } from './errors';

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

export const LOSS_OUTPUT = 'loss';

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
  const paramInputs = new Set(params.keys());
  const result = spec.forward(g, params);
  const batchInputs = g.inputs.filter((v) => !paramInputs.has(v.name) && !isDropoutMask(g, v.name));
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
    { clipNorm: spec.clipNorm },
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

function declareParams(
  g: Graph,
  trainable: readonly TrainableSpec[],
  frozen: readonly FrozenSpec[],
  dtype: TrainingDType,
): Map<string, Value> {
  const params = new Map<string, Value>();
  for (const p of [...trainable, ...frozen]) params.set(p.name, g.input(p.name, dtype, p.shape));
  return params;
}

function checkNames(trainable: readonly TrainableSpec[], frozen: readonly FrozenSpec[]): void {
  const seen = new Set<string>();
  for (const p of [...trainable, ...frozen]) {
    if (seen.has(p.name)) {
      throw new TrainingGraphError(
        `parameter '${p.name}' is listed twice (trainable and frozen, or repeated); list each parameter once.`,
      );
    }
    seen.add(p.name);
    if (p.shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new TrainingGraphError(
        `parameter '${p.name}' has shape [${p.shape.join(', ')}]; parameter dims must be positive integers.`,
      );
    }
  }
}

function checkLoss(loss: Value, dtype: TrainingDType): void {
  if (loss.shape.length !== 0 || loss.dtype !== dtype) {
    throw new TrainingGraphError(
      `the forward's loss must be a rank-0 ${dtype} value, got '${loss.name}' [${loss.shape.join(', ')}] ${loss.dtype}; reduce it with reduceMean(..., keepDims=false).`,
    );
  }
}

function declareExtraOutputs(g: Graph, outputs: Readonly<Record<string, Value>> | undefined): string[] {
  const names: string[] = [];
  for (const [name, v] of Object.entries(outputs ?? {})) {
    if (name === LOSS_OUTPUT || name.endsWith('.new') || name === GRAD_NORM_OUTPUT) {
      throw new TrainingGraphError(`extra output name '${name}' clashes with a training output; rename it.`);
    }
    names.push(g.output(v, name).name);
  }
  return names;
}

function isDropoutMask(g: Graph, name: string): boolean {
  return dropoutSites(g).some((s) => s.maskInput === name);
}

export { stateNames };
