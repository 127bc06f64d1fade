import type { GradRule } from '../rule';

/** d(a + b): dy to both (the walker sums broadcast axes away). */
export const addGrad: GradRule = (ctx) => [ctx.needs(0) ? ctx.dy : null, ctx.needs(1) ? ctx.dy : null];
