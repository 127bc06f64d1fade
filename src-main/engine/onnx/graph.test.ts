import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph, GraphBuildError, op, serializeModel } from './index';

const python = join(__dirname, '../../../.venv/bin/python');

function tinyGraph(): Graph {
  const g = new Graph('tiny');
  const x = g.input('x', 'float32', ['batch', 3]); // [B, 3]
  const w = g.input('w', 'float32', [3, 4]);
  const b = g.initializer('b', { dtype: 'float32', dims: [4], data: Float32Array.from([0.1, -0.2, 0.3, 0]) });
  const h = op.add(g, op.matMul(g, x, w), b); // [B, 4]
  const r = op.reshape(g, h, [0, 2, 2]); // [B, 2, 2]
  const s = op.softmax(g, r, -1);
  const summed = op.reduceSum(g, s, [1], false); // [B, 2]
  g.output(summed, 'y');
  return g;
}

describe('graph builder', () => {
  it('infers shapes, including symbolic reshapes', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['B', 'T', 384]);
    const flat = op.reshape(g, x, [-1, 384]);
    expect(flat.shape).toEqual(['B*T', 384]);
    const heads = op.reshape(g, x, [0, 0, 12, 32]);
    expect(heads.shape).toEqual(['B', 'T', 12, 32]);
    const t = op.transpose(g, heads, [0, 2, 1, 3]);
    expect(t.shape).toEqual(['B', 12, 'T', 32]);
    const scores = op.matMul(g, t, op.transpose(g, t, [0, 1, 3, 2]));
    expect(scores.shape).toEqual(['B', 12, 'T', 'T']);
    expect(op.reduceMean(g, x, [-1]).shape).toEqual(['B', 'T', 1]);
    expect(op.unsqueeze(g, op.reduceSum(g, x, [2], false), [1]).shape).toEqual(['B', 1, 'T']);
  });

  it('names the op and both shapes on a mismatch', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', ['B', 3]);
    const b = g.input('b', 'float32', [4, 5]);
    expect(() => op.matMul(g, a, b)).toThrow(GraphBuildError);
    expect(() => op.matMul(g, a, b)).toThrow(
      /MatMul: inner dims differ \(3 vs 4\).*'a' \[B, 3\] float32 x 'b' \[4, 5\]/,
    );
    const c = g.input('c', 'float64', [3]);
    expect(() => op.add(g, a, c)).toThrow(/Add: inputs must share one dtype.*insert a Cast/);
    expect(() => op.reshape(g, b, [7, -1])).toThrow(/Reshape: cannot reshape 'b' \[4, 5\] float32 to \[7, -1\]/);
  });

  it('refuses duplicate names', () => {
    const g = new Graph();
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/already used/);
  });

  it('writes a model that onnxruntime-node runs with the right numbers', async () => {
    const bytes = serializeModel(tinyGraph());
    const session = await ort.InferenceSession.create(bytes);
    const x = Float32Array.from([1, 2, 3, -1, 0, 0.5]);
    const w = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 10);
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3]), w: new ort.Tensor('float32', w, [3, 4]) });
    const y = out['y']!;
    expect(y.dims).toEqual([2, 2]);
    // Reference computed by hand in plain JS.
    const bias = [0.1, -0.2, 0.3, 0];
    const expected: number[] = [];
    for (let r = 0; r < 2; r++) {
      const h = [0, 1, 2, 3].map((j) => bias[j]! + [0, 1, 2].reduce((s, k) => s + x[r * 3 + k]! * w[k * 4 + j]!, 0));
      const sm = (a: number, b: number): [number, number] => {
        const m = Math.max(a, b);
        const ea = Math.exp(a - m);
        const eb = Math.exp(b - m);
        return [ea / (ea + eb), eb / (ea + eb)];
      };
      const [s00, s01] = sm(h[0]!, h[1]!);
      const [s10, s11] = sm(h[2]!, h[3]!);
      expected.push(s00 + s10, s01 + s11);
    }
    Array.from(y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it.skipIf(!existsSync(python))('passes the onnx checker (Python reference, skipped without .venv)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-onnx-'));
    const file = join(dir, 'tiny.onnx');
    writeFileSync(file, serializeModel(tinyGraph()));
    const out = execFileSync(python, [
      '-c',
      `import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('ok')`,
      file,
    ]);
    expect(out.toString().trim()).toBe('ok');
  });
});
