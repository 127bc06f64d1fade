import { describe, expect, it } from 'vitest';
import { shapeCases } from '../check/cases/shape';
import { runCheck } from '../check/gradcheck';

describe('gradient rules vs central differences: shape', () => {
  it.each(shapeCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const r = await runCheck(c);
    expect(r.relError, `${r.name}: relative error ${r.relError}`).toBeLessThanOrEqual(r.tolerance);
  });
});
