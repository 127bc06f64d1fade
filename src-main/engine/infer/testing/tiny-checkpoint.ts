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

/** Writes base/ (a tiny BERT folder) and ckpt/ under `root`; returns the checkpoint folder. */
export function writeTinyCheckpoint(root: string, o: TinyCheckpointOptions): string {
  const base = join(root, 'base');
  writeTinyBert(base, { maxPositions: o.maxPositions, seed: o.seed });
  const { config, params } = loadBertEncoder(base);
  const heads = initHeads(config.dims.hiddenSize, o.classes.length, o.tags.length, o.headSeed, 0.5);
  const dir = join(root, 'ckpt');
  saveCheckpoint(dir, {
    config,
    meta: {
      version: 1,
      heads: { classification: { labels: [...o.classes] }, ner: { labels: [...o.tags] } },
      pooling: 'mean',
      maxLength: o.maxLength,
    },
    params: new Map([...params, ...heads]),
    tokenizerDir: base,
  });
  return dir;
}
