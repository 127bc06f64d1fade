import { type Graph, type Value, op } from '../../onnx';
import type { GradRule } from '../rule';

/** Routes dy to the larger operand; ties split it in half (as torch.maximum does). */
export const maxGrad: GradRule = ({ g, dy, input, needs }) => [
  needs(0) ? routeIfWins(g, dy, input(0), input(1), 'Greater') : null,
  needs(1) ? routeIfWins(g, dy, input(1), input(0), 'Greater') : null,
];

/** where(mine OP other, dy, where(mine == other, dy / 2, 0)) in the broadcast shape. */
export function routeIfWins(g: Graph, dy: Value, mine: Value, other: Value, cmp: 'Greater' | 'Less'): Value {
  const zero = g.scalar(0, dy.dtype);
  const tie = op.where(g, op.equal(g, mine, other), op.mulScalar(g, dy, 0.5), zero);
  return op.where(g, op.compare(g, cmp, mine, other), dy, tie);
}
