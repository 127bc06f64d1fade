// A checkpoint's worker pool for batch jobs, started on demand and released once idle: each worker holds its own
// copy of the model (4 x 440 MB for a BERT-base on four cores), too much to keep for every cached checkpoint.
import type { BatchPredictor, TextPrediction } from '../../engine/infer';

/** How long a pool stays up after its last prediction. */
export const POOL_IDLE_MS = 60_000;

export class IdleReleasingPool {
  private pool: Promise<BatchPredictor> | undefined;
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly start: () => Promise<BatchPredictor>,
    private readonly idleMs = POOL_IDLE_MS,
  ) {}

  /** Predicts `texts` on the pool, starting it first when it is not up. */
  async predict(texts: readonly unknown[]): Promise<TextPrediction[]> {
    clearTimeout(this.timer);
    this.active++;
    const pool = (this.pool ??= this.start());
    try {
      return await (await pool).predictor.predict(texts);
    } catch (err) {
      // A pool that failed to start, or whose worker died, is not kept: the next call starts a new one.
      if (this.pool === pool) {
        const started = await pool.catch(() => null);
        if (started === null || started.broken()) {
          this.pool = undefined;
          void started?.release();
        }
      }
      throw err;
    } finally {
      this.active--;
      if (this.active === 0) this.timer = setTimeout(() => void this.release(), this.idleMs).unref();
    }
  }

  /** Whether the workers are up (for tests and diagnostics). */
  get running(): boolean {
    return this.pool !== undefined;
  }

  /** Stops the workers now (a later predict starts them again). */
  async release(): Promise<void> {
    clearTimeout(this.timer);
    const pool = this.pool;
    this.pool = undefined;
    await (await pool?.catch(() => null))?.release();
  }
}
