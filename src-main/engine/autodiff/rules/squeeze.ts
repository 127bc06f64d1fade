import { op } from '../../onnx';
import { positiveAxes } from '../helpers';
import type { GradRule } from '../rule';

/** Unsqueeze the removed axes back in (no axes input = every size-1 axis was removed). */
export const squeezeGrad: GradRule = ({ g, dy, input, constInts }) => {
  const x = input(0);
  const given = constInts(1);
  const axes = given ? positiveAxes(given, x.shape.length) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  return [
    op.unsqueeze(
      g,
      dy,
      [...axes].sort((a, b) => a - b),
    ),
    null,
  ];
};
