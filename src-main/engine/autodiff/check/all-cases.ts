import type { CheckCase } from './gradcheck';
import { elementwiseCases } from './cases/elementwise';
import { nnCases } from './cases/nn';
import { shapeCases } from './cases/shape';

/** Every gradient check, in the order `npm run gradcheck` prints them. */
export const allCases: readonly CheckCase[] = [...elementwiseCases, ...shapeCases, ...nnCases];
