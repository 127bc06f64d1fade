import type { GradRule } from '../rule';

/** Expand is pure broadcasting: the walker's unbroadcast sums dy back to the input's shape. */
export const expandGrad: GradRule = ({ dy }) => [dy, null];
