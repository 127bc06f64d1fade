import { describe, expect, it } from 'vitest';
import type { BatchPredictor, TextPrediction } from '../../engine/infer';
import { IdleReleasingPool } from './batch-pool';

/**
 * A pool double: counts starts and releases; predictions echo the texts' count. `fail`: the start fails;
 * `crashOnce`: the first pool's first prediction fails as a dead worker's does and leaves that pool broken.
 */
function fakePool(mode: 'ok' | 'fail' | 'crashOnce' = 'ok') {
  const log = { starts: 0, releases: 0 };
  const start = (): Promise<BatchPredictor> => {
    log.starts++;
    if (mode === 'fail') return Promise.reject(new Error('cannot open the model'));
    let broken = false;
    const crashes = mode === 'crashOnce' && log.starts === 1;
    const predictor = {
      predict: async (texts: readonly unknown[]) => {
        await new Promise((r) => setTimeout(r, 5));
        if (crashes) {
          broken = true;
          throw new Error('A prediction worker exited (code 1) while predicting.');
        }
        return texts.map(() => ({ ok: false }) as unknown as TextPrediction);
      },
    };
    return Promise.resolve({
      predictor: predictor as unknown as BatchPredictor['predictor'],
      workers: 2,
      broken: () => broken,
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
    const { log, start } = fakePool('fail');
    const pool = new IdleReleasingPool(start, 30);
    await expect(pool.predict(['x'])).rejects.toThrow('cannot open the model');
    expect(pool.running).toBe(false);
    await expect(pool.predict(['x'])).rejects.toThrow('cannot open the model');
    expect(log.starts).toBe(2);
  });

  it('drops and releases a pool whose worker died; the next job starts a new one', async () => {
    const { log, start } = fakePool('crashOnce');
    const pool = new IdleReleasingPool(start, 30);
    await expect(pool.predict(['x'])).rejects.toThrow(/worker exited/);
    expect([pool.running, log.releases]).toEqual([false, 1]);
    expect((await pool.predict(['x', 'y'])).length).toBe(2);
    expect(log.starts).toBe(2);
    await pool.release();
  });
});
