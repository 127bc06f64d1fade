import { describe, expect, it } from 'vitest';
import { elementwiseCases } from '../check/cases/elementwise';
import { runCheck } from '../check/gradcheck';

describe('gradient rules vs central differences: elementwise and broadcasting', () => {
  it.each(elementwiseCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const r = await runCheck(c);
    expect(r.relError, `${r.name}: relative error ${r.relError}`).toBeLessThanOrEqual(r.tolerance);
  });
});
