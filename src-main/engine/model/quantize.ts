import type { Graph, TensorData, Value } from '../onnx';
import { GraphBuildError, op } from '../onnx';
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

/** Activations quantized once per value: Q, K and V share one DynamicQuantizeLinear of their input. */
const quantizedInputs = new WeakMap<Graph, Map<string, readonly [Value, Value, Value]>>();

/**
 * int8 dense layer for inference graphs whose weights are initializers: x is quantized per run
 * (DynamicQuantizeLinear, uint8 with a zero point), W ahead of time (quantizePerChannel), the product runs in
 * MatMulInteger and is rescaled to float. Standard ONNX ops in the layout ORT's optimizer fuses into one
 * DynamicQuantizeMatMul kernel (VNNI where the CPU has it). The bias add stays fp32.
 */
export const int8Linear: LinearFn = (g, x, weight, bias) => {
  const data = initializerData(g, weight);
  const [out, inp] = weight.shape as [number, number];
  const { q, scale } = quantizePerChannel(data.data as Float32Array, out, inp);
  return g.withScope('int8', () => {
    const wq = g.constant({ dtype: 'int8', dims: [inp, out], data: q }, `${weight.name}.q`);
    const wScale = g.constant({ dtype: 'float32', dims: [out], data: scale }, `${weight.name}.scale`);
    const wZero = g.constant({ dtype: 'int8', dims: [out], data: new Int8Array(out) }, `${weight.name}.zero`);
    const [xq, xScale, xZero] = quantizeInput(g, x);
    const outShape = [...x.shape.slice(0, -1), out];
    const acc = g.addNode('MatMulInteger', [xq, wq, xZero, wZero], [{ dtype: 'int32', shape: outShape }])[0]!; // [..., Out]
    const y = op.mul(g, op.cast(g, acc, 'float32'), op.mul(g, xScale, wScale)); // [..., Out]
    return bias ? op.add(g, y, bias) : y;
  });
};

function quantizeInput(g: Graph, x: Value): readonly [Value, Value, Value] {
  let cache = quantizedInputs.get(g);
  if (!cache) quantizedInputs.set(g, (cache = new Map()));
  const hit = cache.get(x.name);
  if (hit) return hit;
  const outs = g.addNode(
    'DynamicQuantizeLinear',
    [x],
    [
      { dtype: 'uint8', shape: x.shape },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ],
  );
  const triple = [outs[0]!, outs[1]!, outs[2]!] as const;
  cache.set(x.name, triple);
  return triple;
}

function initializerData(g: Graph, weight: Value): TensorData {
  const found = g.initializers.find((i) => i.value.name === weight.name);
  if (!found || weight.dtype !== 'float32' || weight.shape.length !== 2) {
    throw new GraphBuildError(
      'int8Linear',
      `weight '${weight.name}' must be a float32 [Out, In] initializer to be quantized ahead of time; int8 is for inference graphs built from stored weights.`,
    );
  }
  return found.data;
}
