import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph, op, serializeModel } from '../../onnx';
import { Rng } from '../check/random';
import { AutodiffError } from '../errors';
import { type GatherGradient, grad, type GradOptions } from '../grad';
import { ONE_HOT_MAX_ROWS } from './gather-one-hot';

const ROWS = 7;
const H = 16;
const B = 4;
const T = 9;

/**
 * loss = sum(Gather(table, ids) * w) with ids [B, T] and w [B, T, H] fed at run time (symbolic B and T, as in
 * the encoder's embeddings): the table's gradient is the sum of w's rows per id.
 */
function embeddingGraph(gather: GatherGradient): { bytes: Uint8Array; ops: string[] } {
  const g = new Graph('embedding');
  const table = g.input('table', 'float32', [ROWS, H]);
  const ids = g.input('ids', 'int64', ['B', 'T']);
  const w = g.input('w', 'float32', ['B', 'T', H]);
  const loss = op.reduceSum(g, op.mul(g, op.gather(g, table, ids), w), [0, 1, 2], false);
  g.output(grad(g, loss, [table], { gatherGradient: gather }).get('table')!, 'grad_table');
  return { bytes: serializeModel(g), ops: g.nodes.map((n) => n.opType) };
}

async function tableGradient(gather: GatherGradient, ids: BigInt64Array, w: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(embeddingGraph(gather).bytes, { executionProviders: ['cpu'] });
  try {
    const out = await session.run({
      table: new ort.Tensor('float32', new Float32Array(ROWS * H), [ROWS, H]),
      ids: new ort.Tensor('int64', ids, [B, T]),
      w: new ort.Tensor('float32', w, [B, T, H]),
    });
    return out['grad_table']!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('Gather one-hot gradient', () => {
  it('equals the ScatterND gradient on the CPU EP, with repeated ids accumulated', async () => {
    const rng = new Rng(3);
    // Rows 0..4 only (5 and 6 get no gradient), so most ids repeat several times.
    const ids = BigInt64Array.from({ length: B * T }, () => BigInt(rng.int(5)));
    const w = Float32Array.from(rng.array(B * T * H, (r) => r.normal()));
    const oneHot = await tableGradient('one-hot', ids, w);
    const scatter = await tableGradient('scatter', ids, w);
    // The expected sums, in float64 on the host.
    const want = new Float64Array(ROWS * H);
    ids.forEach((id, m) => {
      for (let h = 0; h < H; h++) want[Number(id) * H + h]! += w[m * H + h]!;
    });
    let worst = 0;
    let worstVsHost = 0;
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(oneHot[i]! - scatter[i]!));
      worstVsHost = Math.max(worstVsHost, Math.abs(oneHot[i]! - want[i]!));
    }
    expect(worst).toBeLessThan(1e-5);
    expect(worstVsHost).toBeLessThan(1e-5);
    expect(Math.max(...want.slice(0, 5 * H).map(Math.abs))).toBeGreaterThan(1); // sums of several rows
    expect(oneHot.slice(5 * H).every((v) => v === 0)).toBe(true);
  });

  it('builds no ScatterND (a one-hot Gemm instead)', () => {
    expect(embeddingGraph('scatter').ops).toContain('ScatterND');
    const ops = embeddingGraph('one-hot').ops;
    expect(ops).not.toContain('ScatterND');
    expect(ops).toContain('Gemm');
  });

  it('refuses a table above the row limit, naming it and how to freeze it', () => {
    const wordGradient = (options: GradOptions) => {
      const g = new Graph('words');
      const words = g.input('embeddings.word_embeddings.weight', 'float32', [30522, 8]);
      const ids = g.input('ids', 'int64', ['B', 'T']);
      return grad(g, op.reduceSum(g, op.gather(g, words, ids), [0, 1, 2], false), [words], options);
    };
    expect(ONE_HOT_MAX_ROWS).toBeLessThan(30522);
    expect(() => wordGradient({ gatherGradient: 'one-hot' })).toThrow(AutodiffError);
    expect(() => wordGradient({ gatherGradient: 'one-hot' })).toThrow(
      /'embeddings\.word_embeddings\.weight' \[30522, 8\].*Freeze 'embeddings\.word_embeddings\.weight'/,
    );
    // The limit is an option: a caller that accepts the [ids, 30522] one-hot can raise it.
    expect(() => wordGradient({ gatherGradient: 'one-hot', oneHotMaxRows: 40000 })).not.toThrow();
  });

  it('refuses a table of symbolic shape', () => {
    const g = new Graph('symbolic');
    const table = g.input('table', 'float32', ['N', 4]);
    const ids = g.input('ids', 'int64', [3]);
    const loss = op.reduceSum(g, op.gather(g, table, ids), [0, 1], false);
    expect(() => grad(g, loss, [table], { gatherGradient: 'one-hot' })).toThrow(/static shape.*'scatter'/);
  });
});
