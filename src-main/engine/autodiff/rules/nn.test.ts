import { describe, expect, it } from 'vitest';
import { nnCases } from '../check/cases/nn';
import { runCheck } from '../check/gradcheck';

describe('gradient rules vs central differences: nn', () => {
  it.each(nnCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const r = await runCheck(c);
    expect(r.relError, `${r.name}: relative error ${r.relError}`).toBeLessThanOrEqual(r.tolerance);
  });
});
