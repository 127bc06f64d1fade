// The block product of the near-duplicate search as one ORT MatMul: [a, d] x [b, d]^T, exact fp32.
import type { BlockProduct, Vectors } from '../../data/health';
import { Graph, op, serializeModel } from '../../engine/onnx';
import { createSession, type Session } from '../../engine/runtime';

/** An ORT-backed BlockProduct; release() frees the session. */
export interface OrtProduct {
  readonly product: BlockProduct;
  release(): Promise<void>;
}

/** Opens a session computing a x b^T for any row counts of width `dim`. */
export async function ortProduct(dim: number, threads?: number): Promise<OrtProduct> {
  const g = new Graph('cosine-block');
  const a = g.input('a', 'float32', ['A', dim]);
  const b = g.input('b', 'float32', ['B', dim]);
  g.output(op.matMul(g, a, op.transpose(g, b, [1, 0])), 'sims');
  const session: Session = await createSession(serializeModel(g), threads !== undefined ? { threads } : {});
  const product: BlockProduct = async (x: Vectors, y: Vectors) => {
    const out = await session.run(
      {
        a: { dtype: 'float32', data: x.data, dims: [x.rows, dim] },
        b: { dtype: 'float32', data: y.data, dims: [y.rows, dim] },
      },
      ['sims'],
    );
    const sims = out['sims']!;
    if (sims.dtype !== 'float32') throw new Error(`cosine-block returned ${sims.dtype}, expected float32`);
    return sims.data;
  };
  return { product, release: () => session.release() };
}
