import { type Graph, type Node, type Value, op } from '../../onnx';
import { AutodiffError } from '../errors';
import type { GradRule } from '../rule';

/** Routes dy to the larger operand; ties split it in half (as torch.maximum does). */
export const maxGrad: GradRule = ({ g, dy, node, input, needs }) => {
  requireTwoInputs(node);
  return [
    needs(0) ? routeIfWins(g, dy, input(0), input(1), 'Greater') : null,
    needs(1) ? routeIfWins(g, dy, input(1), input(0), 'Greater') : null,
  ];
};

/** Max/Min are variadic in ONNX; the rules (and op.max/op.min) handle the two-input form. */
export function requireTwoInputs(node: Node): void {
  if (node.inputs.length !== 2) {
    throw new AutodiffError(
      `${node.opType} node '${node.name}' has ${node.inputs.length} inputs; its gradient handles 2 (chain binary ${node.opType}s).`,
    );
  }
}

/** where(mine OP other, dy, where(mine == other, dy / 2, 0)) in the broadcast shape. */
export function routeIfWins(g: Graph, dy: Value, mine: Value, other: Value, cmp: 'Greater' | 'Less'): Value {
  const zero = g.scalar(0, dy.dtype);
  const tie = op.where(g, op.equal(g, mine, other), op.mulScalar(g, dy, 0.5), zero);
  return op.where(g, op.compare(g, cmp, mine, other), dy, tie);
}
