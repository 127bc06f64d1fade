import { op } from '../../onnx';
import { range } from '../helpers';
import type { GradRule } from '../rule';

/**
 * LayerNormalization over axes [axis, rank). Mean and 1/std are recomputed from x (the forward keeps Y as
 * its only output so DirectML runs it on the GPU). With xhat = (x - mean) * rstd:
 * dscale = sum(dy * xhat), dbias = sum(dy) (leading axes summed by the walker),
 * dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * scale.
 */
export const layerNormGrad: GradRule = ({ g, dy, input, needs, attrInt, attrFloat }) => {
  const x = input(0);
  const rank = x.shape.length;
  const raw = attrInt('axis', -1);
  const first = raw < 0 ? raw + rank : raw;
  const axes = range(rank - first).map((i) => first + i);
  if (!needs(0) && !needs(1)) return [null, null, needs(2) ? dy : null];
  const eps = attrFloat('epsilon', 1e-5);
  const mean = op.reduceMean(g, x, axes, true); // [..., 1]
  const centred = op.sub(g, x, mean); // x's shape
  const variance = op.reduceMean(g, op.mul(g, centred, centred), axes, true); // [..., 1]
  const rstd = op.div(g, g.scalar(1, x.dtype), op.sqrt(g, op.addScalar(g, variance, eps))); // [..., 1]
  const xhat = op.mul(g, centred, rstd); // x's shape
  let dx = null;
  if (needs(0)) {
    const dxhat = op.mul(g, dy, input(1));
    const m1 = op.reduceMean(g, dxhat, axes, true);
    const m2 = op.reduceMean(g, op.mul(g, dxhat, xhat), axes, true);
    dx = op.mul(g, rstd, op.sub(g, op.sub(g, dxhat, m1), op.mul(g, xhat, m2)));
  }
  return [dx, needs(1) ? op.mul(g, dy, xhat) : null, needs(2) ? dy : null];
};
