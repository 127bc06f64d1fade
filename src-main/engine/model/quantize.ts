import type { Graph, TensorData, Value } from '../onnx';
import { attr, GraphBuildError, op } from '../onnx';
import type { LinearFn } from './layers';

/** Weights quantized for MatMulInteger: q [In, Out] int8 (W transposed), one scale per output channel. */
export interface QuantizedWeight {
  readonly q: Int8Array;
  readonly scale: Float32Array;
}

/**
 * Symmetric per-output-channel int8 quantization of W [Out, In]: scale_o = max_i |W[o, i]| / 127,
 * q[i, o] = round(W[o, i] / scale_o). Per channel (not per tensor) keeps rows with small weights precise.
 */
export function quantizePerChannel(w: Float32Array, out: number, inp: number): QuantizedWeight {
  if (w.length !== out * inp) {
    throw new RangeError(`quantizePerChannel: weight has ${w.length} values, expected ${out} x ${inp}.`);
  }
  const q = new Int8Array(out * inp);
  const scale = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let maxAbs = 0;
    for (let i = 0; i < inp; i++) maxAbs = Math.max(maxAbs, Math.abs(w[o * inp + i]!));
    const s = maxAbs > 0 ? maxAbs / 127 : 1;
    scale[o] = s;
    for (let i = 0; i < inp; i++) q[i * out + o] = Math.max(-127, Math.min(127, Math.round(w[o * inp + i]! / s)));
  }
  return { q, scale };
}

/** Activations quantized once per value: Q, K and V share one quantized copy of their input. */
const quantizedInputs = new WeakMap<Graph, Map<string, QuantizedActivation>>();

interface QuantizedActivation {
  /** [..., In] uint8 (x's shape): round(x / scale) + 128. */
  readonly q: Value;
  /** [..., 1] float32: max |x| / 127 of each token's row. */
  readonly scale: Value;
}

/** uint8 zero point of the symmetric activation code: a scalar, which ORT's MatMulInteger requires. */
const ZERO_POINT = 128;

/**
 * int8 dense layer for inference graphs whose weights are initializers. W is quantized ahead of time
 * (quantizePerChannel); x per token at run time: scale = max |x_row| / 127, code = round(x / scale) + 128 in
 * uint8, so the one zero point is a scalar (ORT's MatMulInteger refuses per-row zero points) while the scale
 * is per token. Per token rather than per tensor (DynamicQuantizeLinear) because a per-tensor scale makes a
 * text's result depend on the other texts and the padding of its batch; per token it does not, and it is
 * more accurate. The product runs in MatMulInteger (u8 x s8, VNNI where the CPU has it); QuantizeLinear does
 * the per-row scaling and rounding in one pass. The bias add stays fp32.
 * Standard ONNX ops only, so the graph runs wherever ONNX runs.
 */
export const int8Linear: LinearFn = (g, x, weight, bias) => {
  const data = initializerData(g, weight);
  const [out, inp] = weight.shape as [number, number];
  const { q, scale } = quantizePerChannel(data.data as Float32Array, out, inp);
  return g.withScope('int8', () => {
    const wq = g.constant({ dtype: 'int8', dims: [inp, out], data: q }, `${weight.name}.q`);
    const wScale = g.constant({ dtype: 'float32', dims: [out], data: scale }, `${weight.name}.scale`);
    const xq = quantizeInput(g, x);
    const outShape = [...x.shape.slice(0, -1), out];
    const acc = g.addNode('MatMulInteger', [xq.q, wq, zeroPoint(g)], [{ dtype: 'int32', shape: outShape }])[0]!; // [..., Out]
    // Cast + Mul rather than DequantizeLinear: ORT's per-axis int32 DequantizeLinear took 30 % of a MiniLM
    // forward, as long as all the MatMulIntegers together.
    const perColumn = op.mul(g, op.cast(g, acc, 'float32'), wScale); // [..., Out]
    const y = op.mul(g, perColumn, xq.scale); // [..., Out]
    // The bias add comes last and on x's shape, so ORT can fuse it with a following Gelu (BiasGelu).
    return bias ? op.add(g, y, bias) : y;
  });
};

function quantizeInput(g: Graph, x: Value): QuantizedActivation {
  let cache = quantizedInputs.get(g);
  if (!cache) quantizedInputs.set(g, (cache = new Map()));
  const hit = cache.get(x.name);
  if (hit) return hit;
  const inp = x.shape.at(-1) as number;
  const flat = x.shape.length === 2 ? x : op.reshape(g, x, [-1, inp]); // [N, In]
  const absMax = op.max(g, op.reduceMax(g, flat, [1], false), op.neg(g, op.reduceMin(g, flat, [1], false))); // [N]
  // An all-zero row gets a tiny scale instead of 0, so x / scale stays 0 rather than NaN.
  const scale = op.max(g, op.mulScalar(g, absMax, 1 / 127), g.scalar(1e-30, 'float32')); // [N]
  const zeros = op.expand(g, zeroPoint(g), op.shapeOf(g, scale), scale.shape); // [N], QuantizeLinear's per-row form
  const q = g.addNode('QuantizeLinear', [flat, scale, zeros], [{ dtype: 'uint8', shape: flat.shape }], {
    axis: attr.int(0),
  })[0]!; // [N, In]
  const perRow = op.unsqueeze(g, scale, [1]); // [N, 1]
  let quantized: QuantizedActivation = { q, scale: perRow };
  if (x.shape.length > 2) {
    const leading = op.slice(g, op.shapeOf(g, x), { starts: [0], ends: [-1], axes: [0] }); // [rank - 1]
    quantized = { q: unflatten(g, q, x, leading, inp), scale: unflatten(g, perRow, x, leading, 1) };
  }
  cache.set(x.name, quantized);
  return quantized;
}

/** [N, last] back to x's leading dims (`leading`, the run-time shape of x without its last dim): [..., last]. */
function unflatten(g: Graph, y: Value, x: Value, leading: Value, last: number): Value {
  const dims = op.concat(g, [leading, g.int64s([last])], 0); // [rank]
  return g.addNode('Reshape', [y, dims], [{ dtype: y.dtype, shape: [...x.shape.slice(0, -1), last] }])[0]!;
}

/** The scalar uint8 zero point (one constant per graph: the builder reuses equal small constants). */
function zeroPoint(g: Graph): Value {
  return g.constant({ dtype: 'uint8', dims: [], data: Uint8Array.of(ZERO_POINT) }, 'int8.zero_point');
}

function initializerData(g: Graph, weight: Value): TensorData {
  const found = g.initializerData(weight);
  if (!found || weight.dtype !== 'float32' || weight.shape.length !== 2) {
    throw new GraphBuildError(
      'int8Linear',
      `weight '${weight.name}' must be a float32 [Out, In] initializer to be quantized ahead of time; int8 is for inference graphs built from stored weights.`,
    );
  }
  return found;
}
