import type { GradRule } from '../rule';
import { requireTwoInputs, routeIfWins } from './max';

/** Routes dy to the smaller operand; ties split it in half. */
export const minGrad: GradRule = ({ g, dy, node, input, needs }) => {
  requireTwoInputs(node);
  return [
    needs(0) ? routeIfWins(g, dy, input(0), input(1), 'Less') : null,
    needs(1) ? routeIfWins(g, dy, input(1), input(0), 'Less') : null,
  ];
};
