import { op } from '../../onnx';
import { AutodiffError } from '../errors';
import type { GradRule } from '../rule';

/** Squeeze the inserted axes back out. */
export const unsqueezeGrad: GradRule = ({ g, dy, node, constInts }) => {
  const axes = constInts(1);
  if (!axes) throw new AutodiffError(`Unsqueeze node '${node.name}' needs constant axes for its gradient.`);
  return [op.squeeze(g, dy, axes), null];
};
