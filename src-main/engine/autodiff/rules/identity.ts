import type { GradRule } from '../rule';

/** d identity(x) = dy. */
export const identityGrad: GradRule = ({ dy }) => [dy];
