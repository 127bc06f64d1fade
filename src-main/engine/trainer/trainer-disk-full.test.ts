import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { initHeads, loadBertEncoder } from '../model';
import { writeTinyBert } from '../model/testing';
import type * as CheckpointModule from '../model/checkpoint';
import { loadCheckpoint } from '../model/checkpoint';
import { CheckpointSaveError, train } from './trainer';

// The second checkpoint save fails as a full disk would; the first one must stay loadable.
vi.mock('../model/checkpoint', async (importOriginal) => {
  const real = await importOriginal<typeof CheckpointModule>();
  let calls = 0;
  return {
    ...real,
    saveCheckpoint: (...args: Parameters<typeof real.saveCheckpoint>) => {
      calls++;
      if (calls >= 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      real.saveCheckpoint(...args);
    },
  };
});

describe('train on a full disk', () => {
  it('stops with an actionable error and leaves the earlier checkpoint intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-full-'));
    const tiny = writeTinyBert(join(dir, 'base'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 1 });
    const { config, params } = loadBertEncoder(tiny.dir);
    const model = { config, params: new Map([...params, ...initHeads(16, 2, 0, 3)]), tokenizerDir: tiny.dir, padId: 0 };
    // A learnable toy task: accuracy improves after the first epoch, so a second best checkpoint is saved.
    const examples = Array.from({ length: 16 }, (_, i) => ({ ids: [2, 10 + (i % 5), 3], classLabel: i % 2 }));
    const data = { train: examples, dev: examples, classLabels: ['a', 'b'], nerTags: [] };
    const config_ = {
      freeze: { preset: 'full' as const },
      epochs: 8,
      batchSize: 8,
      lr: 1e-2,
      device: 'cpu' as const,
      threads: 1,
      dropout: { hidden: 0, attention: 0, head: 0 },
    };
    const out = join(dir, 'run');
    const err = await train(model, data, config_, { outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointSaveError);
    expect((err as Error).message).toMatch(/the disk is full.*previous checkpoint there is intact.*--resume/);
    expect(existsSync(join(out, 'best', 'config.json'))).toBe(true);
    expect(loadCheckpoint(join(out, 'best')).meta.heads.classification?.labels).toEqual(['a', 'b']);
  });
});
