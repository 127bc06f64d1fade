import { describe, expect, it } from 'vitest';
import type { BatchPredictor, TextPrediction } from '../../engine/infer';
import { IdleReleasingPool } from './batch-pool';

/** A pool double: counts starts and releases; predictions echo the texts' count. */
function fakePool(fail = false) {
  const log = { starts: 0, releases: 0 };
  const start = (): Promise<BatchPredictor> => {
    log.starts++;
    if (fail) return Promise.reject(new Error('cannot open the model'));
    const predictor = {
      predict: async (texts: readonly unknown[]) => {
        await new Promise((r) => setTimeout(r, 5));
        return texts.map(() => ({ ok: false }) as unknown as TextPrediction);
      },
    };
    return Promise.resolve({
      predictor: predictor as unknown as BatchPredictor['predictor'],
      workers: 2,
      release: async () => void log.releases++,
    });
  };
  return { log, start };
}

describe('IdleReleasingPool', () => {
  it('starts once for overlapping jobs and stops after the idle time, then starts again on demand', async () => {
    const { log, start } = fakePool();
    const pool = new IdleReleasingPool(start, 30);
    const [a, b] = await Promise.all([pool.predict(['x', 'y']), pool.predict(['z'])]);
    expect([a.length, b.length, log.starts]).toEqual([2, 1, 1]);
    expect(pool.running).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect([pool.running, log.releases]).toEqual([false, 1]);
    await pool.predict(['again']);
    expect(log.starts).toBe(2);
    await pool.release();
    expect(log.releases).toBe(2);
  });

  it('does not keep a pool that failed to start', async () => {
    const { log, start } = fakePool(true);
    const pool = new IdleReleasingPool(start, 30);
    await expect(pool.predict(['x'])).rejects.toThrow('cannot open the model');
    expect(pool.running).toBe(false);
    await expect(pool.predict(['x'])).rejects.toThrow('cannot open the model');
    expect(log.starts).toBe(2);
  });
});
