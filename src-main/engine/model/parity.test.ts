import { describe, expect, it } from 'vitest';
import { parityUnavailable, runParity } from './testing';

const missing = parityUnavailable();
if (missing) console.warn(`skipping the all-MiniLM-L6-v2 parity test: ${missing}`);

describe('encoder parity with PyTorch BertModel (all-MiniLM-L6-v2, 50 AG News dev texts)', () => {
  it.skipIf(missing !== undefined)('last_hidden_state matches within 1e-4 on every real token', async () => {
    const r = await runParity();
    expect(r.texts).toBe(50);
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
  });
});
