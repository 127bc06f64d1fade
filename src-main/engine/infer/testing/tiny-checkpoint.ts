// Test helper: a saved checkpoint of a tiny random BERT with both heads (random head weights, std 0.5 so
// that predictions vary), for tests of loading, export and interop.
import { join } from 'node:path';
import { initHeads, loadBertEncoder, saveCheckpoint } from '../../model';
import { writeTinyBert } from '../../model/testing';

export interface TinyCheckpointOptions {
  readonly classes: readonly string[];
  readonly tags: readonly string[];
  readonly maxPositions: number;
  readonly maxLength: number;
  readonly seed: number;
  readonly headSeed: number;
}

/** Two classes and PER tags, 64 positions: what a test of the CLI or a service needs when it names nothing. */
export const TINY_CHECKPOINT: TinyCheckpointOptions = {
  classes: ['World', 'Sports'],
  tags: ['O', 'B-PER', 'I-PER'],
  maxPositions: 64,
  maxLength: 32,
  seed: 3,
  headSeed: 4,
};

/** Writes base/ (a tiny BERT folder) and ckpt/ under `root`; returns the checkpoint folder. */
export function writeTinyCheckpoint(root: string, options: Partial<TinyCheckpointOptions> = {}): string {
  const o = { ...TINY_CHECKPOINT, ...options };
  const base = join(root, 'base');
  writeTinyBert(base, { maxPositions: o.maxPositions, seed: o.seed });
  const { config, params } = loadBertEncoder(base);
  const heads = initHeads(config.dims.hiddenSize, o.classes.length, o.tags.length, o.headSeed, 0.5);
  const dir = join(root, 'ckpt');
  saveCheckpoint(dir, {
    config,
    meta: {
      version: 1,
      // An empty label list means no such head, as in a single-task run.
      heads: {
        ...(o.classes.length > 0 && { classification: { labels: [...o.classes] } }),
        ...(o.tags.length > 0 && { ner: { labels: [...o.tags] } }),
      },
      pooling: 'mean',
      maxLength: o.maxLength,
    },
    params: new Map([...params, ...heads]),
    tokenizerDir: base,
  });
  return dir;
}
