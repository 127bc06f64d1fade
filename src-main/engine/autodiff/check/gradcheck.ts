import * as ort from 'onnxruntime-node';
import { type Dim, Graph, type Value, op, serializeModel, typedArrayFrom } from '../../onnx';
import { grad, type GradOptions } from '../grad';
import type { OpType } from '../rules';
import { Rng } from './random';

export type CheckDtype = 'float64' | 'float32';

/** Composite functions checked end to end (their gradients come from the primitive rules). */
export type CompositeName =
  'gelu' | 'layerNorm' | 'softmax' | 'logSoftmax' | 'softmaxCrossEntropy' | 'mlp' | 'attention';

/** One differentiable input of a check: concrete dims, optional symbolic graph dims, value generator. */
export interface CheckInput {
  readonly dims: readonly number[];
  /** Graph shape when it should be symbolic (e.g. ['B', 3]); defaults to dims. */
  readonly shape?: readonly Dim[];
  /** Draws one element; defaults to a standard normal. */
  readonly init?: (rng: Rng) => number;
  /** False for inputs fed but not differentiated (their gradient must not be built). */
  readonly wrt?: boolean;
}

/** A gradient check of one rule: f(x) = sum(w * build(x)) with random w, vs central differences. */
export interface CheckCase {
  readonly rule: OpType | CompositeName;
  readonly name: string;
  readonly dtype?: CheckDtype;
  readonly inputs: Readonly<Record<string, CheckInput>>;
  readonly build: (g: Graph, x: Readonly<Record<string, Value>>) => Value;
  /** Largest relative error accepted; defaults to 1e-6 (float64), see FLOAT32_TOLERANCE. */
  readonly tolerance?: number;
  /** grad()'s options (e.g. the one-hot Gather gradient); defaults to none. */
  readonly gradOptions?: GradOptions;
}

export interface CheckResult {
  readonly rule: OpType | CompositeName;
  readonly name: string;
  /**
   * max over elements of |analytic - numeric| / max(|numeric|, 0.01 max|numeric of that input|, 1e-6):
   * relative per element, with a floor at 1 % of the input's largest gradient so near-zero elements
   * (where the difference quotient's rounding error dominates) do not read as failures.
   */
  readonly relError: number;
  readonly tolerance: number;
  readonly ok: boolean;
}

/**
 * float32 checks (ORT has no float64 Erf) use eps 1e-2: the central difference's truncation error is
 * O(eps^2 f''') ~ 1e-5 and its rounding error O(ulp |f| / eps) ~ 1e-5 for |f| ~ 10, so 2e-3 leaves margin.
 */
export const FLOAT32_TOLERANCE = 2e-3;
// float64: truncation O(eps^2) ~ 1e-10 and rounding O(1e-16 |f| / eps) ~ 1e-10 for |f| ~ 10 balance here.
const EPS: Readonly<Record<CheckDtype, number>> = { float64: 1e-5, float32: 1e-2 };
const SESSION: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'disabled',
  executionProviders: ['cpu'],
};

type Floats = Float64Array | Float32Array;

/** Runs one case: builds forward and gradient graphs, compares analytic gradients with central differences. */
export async function runCheck(c: CheckCase, seed = 1): Promise<CheckResult> {
  const dtype = c.dtype ?? 'float64';
  const rng = new Rng(seed);
  const feedsData = Object.fromEntries(
    Object.entries(c.inputs).map(([name, input]) => {
      const n = input.dims.reduce((a, b) => a * b, 1);
      return [name, makeFloats(dtype, rng.array(n, input.init ?? ((r) => r.normal())))];
    }),
  );
  const outDims = await probeOutputDims(c, dtype, feedsData);
  const weights = rng.array(
    outDims.reduce((a, b) => a * b, 1),
    (r) => r.uniform(-1, 1),
  );
  const { forward, full, gradNames } = buildModels(c, dtype, outDims, weights);
  const fwd = await ort.InferenceSession.create(forward, SESSION);
  const bwd = await ort.InferenceSession.create(full, SESSION);
  const feeds = (data: Readonly<Record<string, Floats>>): Record<string, ort.Tensor> =>
    Object.fromEntries(
      Object.entries(c.inputs).map(([k, input]) => [k, new ort.Tensor(dtype, data[k]!, [...input.dims])]),
    );
  const analytic = await bwd.run(feeds(feedsData));
  const lossAt = async (data: Record<string, Floats>): Promise<number> =>
    Number((await fwd.run(feeds(data)))['loss']!.data[0]);
  let relError = 0;
  for (const [name, gradName] of gradNames) {
    const a = analytic[gradName]!.data as Floats;
    const numeric = new Float64Array(a.length);
    const x = feedsData[name]!;
    const eps = EPS[dtype];
    for (let i = 0; i < x.length; i++) {
      const orig = x[i]!;
      x[i] = orig + eps;
      const up = await lossAt(feedsData);
      x[i] = orig - eps;
      const down = await lossAt(feedsData);
      x[i] = orig;
      numeric[i] = (up - down) / (2 * eps);
    }
    const scale = numeric.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < a.length; i++) {
      const denominator = Math.max(Math.abs(numeric[i]!), 0.01 * scale, 1e-6);
      relError = Math.max(relError, Math.abs(a[i]! - numeric[i]!) / denominator);
    }
  }
  await fwd.release();
  await bwd.release();
  const tolerance = c.tolerance ?? (dtype === 'float64' ? 1e-6 : FLOAT32_TOLERANCE);
  return { rule: c.rule, name: c.name, relError, tolerance, ok: relError <= tolerance };
}

function makeFloats(dtype: CheckDtype, values: readonly number[]): Floats {
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

function declareInputs(g: Graph, c: CheckCase, dtype: CheckDtype): Record<string, Value> {
  return Object.fromEntries(
    Object.entries(c.inputs).map(([k, input]) => [k, g.input(k, dtype, input.shape ?? input.dims)]),
  );
}

/** The op's concrete output dims, from one run (shapes may be symbolic in the graph). */
async function probeOutputDims(
  c: CheckCase,
  dtype: CheckDtype,
  data: Readonly<Record<string, Floats>>,
): Promise<number[]> {
  const g = new Graph('probe');
  g.output(c.build(g, declareInputs(g, c, dtype)), 'y');
  const s = await ort.InferenceSession.create(serializeModel(g), SESSION);
  const out = await s.run(
    Object.fromEntries(
      Object.entries(c.inputs).map(([k, input]) => [k, new ort.Tensor(dtype, data[k]!, [...input.dims])]),
    ),
  );
  const dims = [...out['y']!.dims];
  await s.release();
  return dims;
}

function buildModels(c: CheckCase, dtype: CheckDtype, outDims: readonly number[], weights: readonly number[]) {
  const g = new Graph(`check_${c.rule}`);
  const x = declareInputs(g, c, dtype);
  const y = c.build(g, x);
  const w = g.constant({ dtype, dims: outDims, data: typedArrayFrom(dtype, weights) }, 'w');
  const rank = y.shape.length;
  const weighted = op.mul(g, y, w);
  const loss = rank === 0 ? weighted : op.reduceSum(g, weighted, [...Array(rank).keys()], false);
  g.output(loss, 'loss');
  const forward = serializeModel(g);
  const wrt = Object.entries(c.inputs)
    .filter(([, input]) => input.wrt !== false)
    .map(([k]) => k);
  const grads = grad(g, g.value('loss')!, wrt, c.gradOptions);
  const gradNames = [...grads].map(([k, v]) => [k, g.output(v).name] as const);
  return { forward, full: serializeModel(g), gradNames };
}
