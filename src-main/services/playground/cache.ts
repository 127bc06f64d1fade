// A small LRU of loaded predictors (an ORT session each), keyed by checkpoint folder, its file times and the
// precision (fp32 or int8) it runs at.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  autoWorkers,
  DEFAULT_BATCH_SIZE,
  coreWorkers,
  loadBatchPredictor,
  loadPredictor,
  type LoadedPredictor,
  type Precision,
  type TextPrediction,
} from '../../engine/infer';
import { IdleReleasingPool } from './batch-pool';
import type { SessionOptions } from '../../engine/runtime';
import { WordPieceTokenizer } from '../../engine/tokenizer';

/** A loaded checkpoint: predictor (with sentence embeddings on) and its tokenizer, for token display. */
export interface LoadedModel {
  readonly dir: string;
  /** Folder and weights' modification time: equal keys mean the same weights. */
  readonly key: string;
  /** One session in this thread: quick answers for a text or a few (the playground). */
  readonly loaded: LoadedPredictor;
  /**
   * The same model for many texts at once (pre-annotation, a run's dev set): on the CPU its batches run on a
   * pool of worker threads, so this thread's event loop stays free while they run and the cores run batches
   * side by side (started on first use, stopped after a minute idle: batch-pool.ts); elsewhere, and for jobs of
   * two batches or fewer while the pool is down, the session above.
   */
  readonly batchPredict: (texts: readonly unknown[]) => Promise<TextPrediction[]>;
  readonly tokenizer: WordPieceTokenizer;
  /** The token limit the classifier sees (the checkpoint's training maxLength). */
  readonly maxLength: number;
  /** Releases the session and, when one was started, the worker pool. */
  readonly release: () => Promise<void>;
}

interface Entry {
  readonly key: string;
  readonly model: Promise<LoadedModel>;
  users: number;
  evicted: boolean;
}

/**
 * Keeps the last `capacity` checkpoints loaded. A run's best/ folder is rewritten while it trains, so the key
 * includes the weights' modification time: a newer best checkpoint loads afresh. An evicted predictor is
 * released once its last user is done.
 */
export class PredictorCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity = 3,
    private readonly session: SessionOptions = { device: 'cpu' },
  ) {}

  /** Runs `fn` with the checkpoint's model loaded at `precision` (from the cache when possible). */
  async use<T>(dir: string, fn: (model: LoadedModel) => Promise<T>, precision: Precision = 'fp32'): Promise<T> {
    const entry = this.entry(dir, precision);
    entry.users++;
    try {
      return await fn(await entry.model);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) await this.dispose(entry);
    }
  }

  /** Number of loaded checkpoints (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** Releases every predictor not in use (the rest are released when their users finish). */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) {
      e.evicted = true;
      if (e.users === 0) await this.dispose(e);
    }
  }

  private entry(dir: string, precision: Precision): Entry {
    const abs = resolve(dir);
    const key = `${abs}@${statSync(join(abs, 'model.safetensors')).mtimeMs}:${precision}`;
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is insertion order: re-insert to mark as most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const model = load(abs, key, this.session, precision);
    const entry: Entry = { key, model, users: 0, evicted: false };
    // A failed load must not stay cached: the next call retries (e.g. after the folder is fixed).
    model.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const [oldKey, old] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldKey);
      old.evicted = true;
      if (old.users === 0) void this.dispose(old);
    }
    return entry;
  }

  private async dispose(e: Entry): Promise<void> {
    const model = await e.model.catch(() => null);
    await model?.release();
  }
}

async function load(dir: string, key: string, session: SessionOptions, precision: Precision): Promise<LoadedModel> {
  const loaded = await loadPredictor(dir, { embeddings: true, session, precision });
  const tokenizer = WordPieceTokenizer.fromDir(dir);
  const onCpu = (session.device ?? 'cpu') === 'cpu';
  const pool = new IdleReleasingPool(() =>
    loadBatchPredictor(dir, { embeddings: true, precision, workers: coreWorkers() }),
  );
  // A job of two batches or fewer (pre-annotating one example) runs here, unless the workers are up anyway:
  // starting one model copy per core would cost more than it saves (autoWorkers' rule).
  const batchPredict = (texts: readonly unknown[]): Promise<TextPrediction[]> =>
    onCpu && (pool.running || autoWorkers(texts.length, DEFAULT_BATCH_SIZE) > 1)
      ? pool.predict(texts)
      : loaded.predictor.predict(texts);
  const release = async (): Promise<void> => {
    await loaded.release();
    await pool.release();
  };
  return { dir, key, loaded, batchPredict, tokenizer, maxLength: checkpointMaxLength(dir), release };
}

// The same default loadPredictor applies when the checkpoint does not record its training length.
function checkpointMaxLength(dir: string): number {
  const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { mts?: { maxLength?: unknown } };
  return typeof raw.mts?.maxLength === 'number' ? raw.mts.maxLength : 128;
}

/** The process-wide cache the playground, mistakes and pre-annotation share. */
export const predictorCache = new PredictorCache(3);
