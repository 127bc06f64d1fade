import type { DType, Graph, Value } from '../onnx';
import { GraphBuildError, op, sameShape } from '../onnx';
import { clipScale, globalGradNorm } from './clip';

/** AdamW hyper-parameters (decoupled weight decay, as torch.optim.AdamW). */
export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Applied only to parameters marked `decay` (nanoGPT rule: >= 2-D weights; never biases or LayerNorm). */
  readonly weightDecay: number;
}

/** torch.optim.AdamW defaults except weight decay 0.01, the value BERT fine-tuning recipes use. */
export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/** Names of the per-step scalar inputs (rank 0, the graph's float dtype) and of the grad-norm output. */
export const STEP_INPUT = {
  lr: 'optim.lr',
  /** 1 - beta1^t for the 1-based step t. */
  biasCorrection1: 'optim.bias_correction1',
  /** 1 - beta2^t for the 1-based step t. */
  biasCorrection2: 'optim.bias_correction2',
} as const;
export const GRAD_NORM_OUTPUT = 'optim.grad_norm';

/** Graph names of a parameter's optimizer state inputs and of its updated outputs. */
export function stateNames(param: string): {
  readonly m: string;
  readonly v: string;
  readonly newParam: string;
  readonly newM: string;
  readonly newV: string;
} {
  return {
    m: `${param}.adam_m`,
    v: `${param}.adam_v`,
    newParam: `${param}.new`,
    newM: `${param}.adam_m.new`,
    newV: `${param}.adam_v.new`,
  };
}

/** Host-side values of the step scalars for 0-based optimizer step `step` at learning rate `lr`. */
export function stepScalars(
  config: AdamWConfig,
  lr: number,
  step: number,
): Readonly<Record<keyof typeof STEP_INPUT, number>> {
  const t = step + 1;
  return { lr, biasCorrection1: 1 - config.beta1 ** t, biasCorrection2: 1 - config.beta2 ** t };
}

/** One trainable parameter handed to the optimizer fragment. */
export interface AdamWParam {
  readonly name: string;
  readonly param: Value;
  readonly grad: Value;
  readonly decay: boolean;
  /**
   * Lazy row update (LazyAdam): int64 row ids [U], distinct, and `grad` holds those rows' gradient only
   * ([U, ...]). Only these rows of the weights and moments are read and written (Gather, update, ScatterND);
   * every other row keeps its value and moments: no decay, no momentum step. Bias corrections follow the global
   * step. Absent: the dense update of every element.
   */
  readonly rows?: Value;
  /**
   * Multiplies this parameter's step size (default 1): the lr schedule still applies. For a few scalars that
   * must move faster than the encoder's fine-tuning lr allows (learned task weights).
   */
  readonly lrScale?: number;
}

export interface AdamWFragmentOptions {
  /** Global gradient-norm clipping threshold (torch clip_grad_norm_); null disables clipping. */
  readonly clipNorm: number | null;
  /**
   * Make a non-finite step a no-op inside the graph: when the gradient norm or any of these values (the
   * loss) is NaN or infinite, every output equals its input. The runtime can then write the outputs over the
   * inputs (one buffer per tensor instead of two); the check also orders every update after the whole
   * backward pass (all gradients feed the norm), so no parameter is overwritten while a gradient still
   * reads it.
   */
  readonly guardNonFinite?: { readonly alsoCheck: readonly Value[] };
}

/** Values the fragment adds: the state inputs it declared and its outputs. */
export interface AdamWFragment {
  readonly stateInputs: readonly Value[];
  readonly scalarInputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly gradNorm: Value;
}

/**
 * Adds global-norm clipping and one AdamW update for every parameter to the graph, declares the state inputs
 * (`${p}.adam_m`, `${p}.adam_v`), the step scalars (STEP_INPUT) and marks `${p}.new`, `${p}.adam_m.new`,
 * `${p}.adam_v.new` and `optim.grad_norm` as graph outputs.
 *
 * Equal to torch's clip_grad_norm_ followed by AdamW.step up to rounding; the algebra is rearranged so that
 * every scalar factor (clip scale, bias corrections, lr) is folded into rank-0 values and each parameter
 * costs 13 full-size elementwise ops, 16 with guardNonFinite (the clip multiply is folded into the moment
 * updates and g*g is shared by the norm and the second moment):
 *   m' = b1 m + ((1-b1) s) g,  v' = b2 v + ((1-b2) s^2) g^2
 *   p' = p (1 - lr wd) - (lr sqrt(bc2) / bc1) m' / (sqrt(v') + eps sqrt(bc2))
 */
export function addAdamW(
  g: Graph,
  params: readonly AdamWParam[],
  config: AdamWConfig,
  options: AdamWFragmentOptions,
): AdamWFragment {
  if (params.length === 0)
    throw new GraphBuildError('AdamW', 'no parameters to update; mark at least one parameter trainable.');
  const dtype = params[0]!.param.dtype;
  for (const p of params) checkParam(p, dtype);
  return g.withScope('optim', () => {
    const scalarInputs = [STEP_INPUT.lr, STEP_INPUT.biasCorrection1, STEP_INPUT.biasCorrection2].map((n) =>
      g.input(n, dtype, []),
    );
    const [lr, bc1, bc2] = scalarInputs as [Value, Value, Value];
    const squares = params.map((p) => op.mul(g, p.grad, p.grad));
    const gradNorm = globalGradNorm(g, squares);
    const scale = options.clipNorm === null ? g.scalar(1, dtype) : clipScale(g, gradNorm, options.clipNorm);
    const c = scalarFactors(g, config, { lr, bc1, bc2, scale });
    const ok = options.guardNonFinite ? allFinite(g, [gradNorm, ...options.guardNonFinite.alsoCheck]) : null;
    // The last node of each update carries the output's name (no Identity copy of a parameter-sized tensor):
    // the Where of the guard, or else the Add/Sub itself.
    const update = (opType: 'Add' | 'Sub', a: Value, b: Value, old: Value, name: string) => {
      const next = namedNode(g, opType, [a, b], ok ? undefined : name);
      return { next, out: ok ? namedNode(g, 'Where', [ok, next, old], name) : next };
    };
    const stateInputs: Value[] = [];
    const outputs: Value[] = [];
    params.forEach((p, i) => {
      const names = stateNames(p.name);
      const m = g.input(names.m, dtype, p.param.shape);
      const v = g.input(names.v, dtype, p.param.shape);
      stateInputs.push(m, v);
      if (p.rows) {
        const [newP, newM, newV] = lazyRowUpdate(g, p, p.rows, { m, v, gSquared: squares[i]!, c, ok, config });
        outputs.push(g.output(newP), g.output(newM), g.output(newV));
        return;
      }
      const m1 = update('Add', op.mul(g, m, c.beta1), op.mul(g, p.grad, c.mScale), m, names.newM);
      const v1 = update('Add', op.mul(g, v, c.beta2), op.mul(g, squares[i]!, c.vScale), v, names.newV);
      const denom = op.add(g, op.sqrt(g, v1.next), c.epsScaled);
      const step = op.mul(g, op.div(g, m1.next, denom), stepSizeOf(g, p, c));
      const decayed = p.decay && config.weightDecay !== 0 ? op.mul(g, p.param, c.decayFactor) : p.param;
      const p1 = update('Sub', decayed, step, p.param, names.newParam);
      const [newP, newM, newV] = [p1.out, m1.out, v1.out];
      outputs.push(g.output(newP), g.output(newM), g.output(newV));
    });
    outputs.push(g.output(gradNorm, GRAD_NORM_OUTPUT));
    return { stateInputs, scalarInputs, outputs, gradNorm };
  });
}

/**
 * AdamW on the rows `rows` of one parameter: the same formulas as the dense update on [U, ...] slices of the
 * weights and moments, written back with ScatterND (whose node carries the output name). With the guard, a
 * non-finite step writes the old rows back.
 */
function lazyRowUpdate(
  g: Graph,
  p: AdamWParam,
  rows: Value,
  s: {
    readonly m: Value;
    readonly v: Value;
    readonly gSquared: Value;
    readonly c: ScalarFactors;
    readonly ok: Value | null;
    readonly config: AdamWConfig;
  },
): [Value, Value, Value] {
  const { c, ok } = s;
  const names = stateNames(p.name);
  const pRows = op.gather(g, p.param, rows);
  const mRows = op.gather(g, s.m, rows);
  const vRows = op.gather(g, s.v, rows);
  const m1 = op.add(g, op.mul(g, mRows, c.beta1), op.mul(g, p.grad, c.mScale));
  const v1 = op.add(g, op.mul(g, vRows, c.beta2), op.mul(g, s.gSquared, c.vScale));
  const step = op.mul(g, op.div(g, m1, op.add(g, op.sqrt(g, v1), c.epsScaled)), stepSizeOf(g, p, c));
  const decayed = p.decay && s.config.weightDecay !== 0 ? op.mul(g, pRows, c.decayFactor) : pRows;
  const p1 = op.sub(g, decayed, step);
  const ids = op.unsqueeze(g, rows, [-1]); // [U, 1]
  const writeBack = (table: Value, next: Value, old: Value, name: string): Value => {
    const kept = ok ? namedNode(g, 'Where', [ok, next, old]) : next;
    return g.addNode('ScatterND', [table, ids, kept], [{ dtype: table.dtype, shape: table.shape, name }])[0]!;
  };
  return [
    writeBack(p.param, p1, pRows, names.newParam),
    writeBack(s.m, m1, mRows, names.newM),
    writeBack(s.v, v1, vRows, names.newV),
  ];
}

/** The step size of one parameter: the shared one, times its lrScale when it has one. */
function stepSizeOf(g: Graph, p: AdamWParam, c: ScalarFactors): Value {
  return p.lrScale === undefined || p.lrScale === 1 ? c.stepSize : op.mulScalar(g, c.stepSize, p.lrScale);
}

interface ScalarFactors {
  readonly beta1: Value;
  readonly beta2: Value;
  readonly mScale: Value;
  readonly vScale: Value;
  readonly epsScaled: Value;
  readonly stepSize: Value;
  readonly decayFactor: Value;
}

// Rank-0 arithmetic, computed once per step and broadcast into every parameter's update.
function scalarFactors(
  g: Graph,
  config: AdamWConfig,
  s: { readonly lr: Value; readonly bc1: Value; readonly bc2: Value; readonly scale: Value },
): ScalarFactors {
  const dtype = s.lr.dtype;
  const sqrtBc2 = op.sqrt(g, s.bc2);
  return {
    beta1: g.scalar(config.beta1, dtype),
    beta2: g.scalar(config.beta2, dtype),
    mScale: op.mulScalar(g, s.scale, 1 - config.beta1),
    vScale: op.mulScalar(g, op.mul(g, s.scale, s.scale), 1 - config.beta2),
    epsScaled: op.mulScalar(g, sqrtBc2, config.eps),
    stepSize: op.div(g, op.mul(g, s.lr, sqrtBc2), s.bc1),
    decayFactor: op.sub(g, g.scalar(1, dtype), op.mulScalar(g, s.lr, config.weightDecay)),
  };
}

// The last op of each output carries the output's name, so no Identity (a copy on some EPs) is needed.
function namedNode(g: Graph, opType: 'Add' | 'Sub' | 'Where', inputs: readonly Value[], name?: string): Value {
  const like = inputs[inputs.length - 1]!;
  return g.addNode(opType, inputs, [{ dtype: like.dtype, shape: like.shape, ...(name !== undefined && { name }) }])[0]!;
}

/**
 * Bool scalar: every value (rank 0) is finite. `|x| <= max finite` is false for NaN and +-Inf; unlike
 * IsNaN/IsInf/Or it has a WebGPU kernel, so the guard does not force a device->host->device copy mid-step.
 */
function allFinite(g: Graph, values: readonly Value[]): Value {
  const finite = values.map((v) => {
    const maxFinite = g.scalar(v.dtype === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX, v.dtype);
    return op.lessOrEqual(g, op.abs(g, v), maxFinite);
  });
  return finite.reduce((a, b) => g.addNode('And', [a, b], [{ dtype: 'bool', shape: a.shape }])[0]!);
}

// The largest finite float32, (2 - 2^-23) * 2^127.
const FLOAT32_MAX = 3.4028234663852886e38;

function checkParam(p: AdamWParam, dtype: DType): void {
  if (p.lrScale !== undefined && !(p.lrScale > 0 && Number.isFinite(p.lrScale))) {
    throw new GraphBuildError('AdamW', `parameter '${p.name}' has lrScale ${p.lrScale}; expected a finite number > 0.`);
  }
  if (p.param.dtype !== dtype || p.grad.dtype !== dtype) {
    throw new GraphBuildError(
      'AdamW',
      `parameter '${p.name}' is ${p.param.dtype} with a ${p.grad.dtype} gradient; all parameters must be ${dtype}.`,
    );
  }
  if (p.rows) {
    checkRows(p, p.rows);
    return;
  }
  if (!sameShape(p.param.shape, p.grad.shape)) {
    throw new GraphBuildError(
      'AdamW',
      `gradient of '${p.name}' has shape [${p.grad.shape.join(', ')}] but the parameter is [${p.param.shape.join(', ')}].`,
    );
  }
}

function checkRows(p: AdamWParam, rows: Value): void {
  if (rows.dtype !== 'int64' || rows.shape.length !== 1) {
    throw new GraphBuildError(
      'AdamW',
      `row ids of '${p.name}' must be int64 [U], got ${rows.dtype} [${rows.shape.join(', ')}].`,
    );
  }
  const rowShape = p.param.shape.slice(1);
  if (p.param.shape.length < 1 || !sameShape(p.grad.shape, [rows.shape[0]!, ...rowShape])) {
    throw new GraphBuildError(
      'AdamW',
      `the row gradient of '${p.name}' has shape [${p.grad.shape.join(', ')}]; expected [${[rows.shape[0]!, ...rowShape].join(', ')}] (one row per id).`,
    );
  }
}
