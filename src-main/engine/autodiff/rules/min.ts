import type { GradRule } from '../rule';
import { routeIfWins } from './max';

/** Routes dy to the smaller operand; ties split it in half. */
export const minGrad: GradRule = ({ g, dy, input, needs }) => [
  needs(0) ? routeIfWins(g, dy, input(0), input(1), 'Less') : null,
  needs(1) ? routeIfWins(g, dy, input(1), input(0), 'Less') : null,
];
