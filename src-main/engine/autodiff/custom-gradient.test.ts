import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph, op, serializeModel } from '../onnx';
import { withCustomGradient } from './custom-gradient';
import { gelu, grad } from './index';

const SESSION: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'disabled' };

async function run(g: Graph, feeds: Record<string, ort.Tensor>, fetch: string[]): Promise<Float64Array[]> {
  const s = await ort.InferenceSession.create(serializeModel(g), SESSION);
  const out = await s.run(feeds, fetch);
  await s.release();
  return fetch.map((n) => Float64Array.from(out[n]!.data as Float32Array | Float64Array));
}

describe('withCustomGradient', () => {
  it('differentiates a composite with its own backward and builds none for its inner nodes', async () => {
    const g = new Graph('square');
    const x = g.input('x', 'float64', [3]);
    // x^2 as exp(2 log x): the custom backward 2 x dy never reads the inner Log/Exp values.
    const inner = op.exp(g, op.mulScalar(g, op.log(g, x), 2));
    const y = withCustomGradient(g, [x], inner, (gg, dy) => [op.mulScalar(gg, op.mul(gg, x, dy), 2)]);
    const loss = op.reduceSum(g, op.mul(g, y, g.scalar(3, 'float64')), [0], false);
    const before = g.nodes.length;
    const dx = grad(g, loss, [x]).get('x')!;
    g.output(dx);
    const backward = g.nodes.slice(before);
    expect(backward.some((n) => n.opType === 'Exp' || n.opType === 'Log' || n.opType === 'Div')).toBe(false);
    const [got] = await run(g, { x: new ort.Tensor('float64', Float64Array.of(1, 2, 3), [3]) }, [dx.name]);
    expect(Array.from(got!)).toEqual([6, 12, 18]); // d/dx sum 3 x^2 = 6 x
  });

  it("recomputes GELU's gradient from x, reading none of the forward intermediates", async () => {
    const g = new Graph('gelu');
    const x = g.input('x', 'float32', [5]);
    const forwardStart = g.nodes.length;
    const loss = op.reduceSum(g, gelu(g, x), [0], false);
    const forwardValues = new Set(g.nodes.slice(forwardStart, -1).flatMap((n) => n.outputs.map((o) => o.name)));
    const before = g.nodes.length;
    const dx = grad(g, loss, [x]).get('x')!;
    g.output(dx);
    const reads = g.nodes.slice(before).flatMap((n) => n.inputs.filter((v) => v && forwardValues.has(v.name)));
    expect(reads).toEqual([]);
    const xs = [-3, -0.5, 0, 0.7, 2.5];
    const [got] = await run(g, { x: new ort.Tensor('float32', Float32Array.from(xs), [5]) }, [dx.name]);
    // GELU'(x) = Phi(x) + x phi(x), against a float64 evaluation via a high-accuracy erf series.
    const erf = (z: number): number => {
      let sum = 0;
      let term = z;
      for (let n = 0; n < 60; n++) {
        sum += term / (2 * n + 1);
        term *= (-z * z) / (n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const want = xs.map((v) => 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp((-v * v) / 2)) / Math.sqrt(2 * Math.PI));
    got!.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
  });
});
