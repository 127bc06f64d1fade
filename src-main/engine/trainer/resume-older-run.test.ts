import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from './events';
import { tinyTrainerModel, toyData } from './testing';
import { train, type TrainerData } from './trainer';

const DATA: TrainerData = toyData(64, 32);
const CONFIG = {
  freeze: { preset: 'full' as const },
  epochs: 1,
  batchSize: 16,
  lr: 3e-3,
  device: 'cpu' as const,
  threads: 1,
  seed: 7,
  dropout: { hidden: 0.1, attention: 0.1, head: 0.1 },
};
// What the trainer did before the two options existed.
const OLD = { ...CONFIG, embeddingUpdates: 'dense' as const, nerBatching: 'examples' as const };

const lossesOf = (events: readonly TrainEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'step' ? [e.losses.total] : []));

describe('resuming a run folder written before an option existed', () => {
  it('keeps the behaviour the run trained with (dense updates, batches by examples) and reaches its losses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-older-run-'));
    const model = tinyTrainerModel(dir);
    const full: TrainEvent[] = [];
    await train(model, DATA, OLD, { outDir: join(dir, 'full'), onEvent: (e) => full.push(e) });

    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const outDir = join(dir, 'old');
    await train(model, DATA, OLD, {
      outDir,
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 2) controller.abort();
      },
    });
    // The folder as an older version wrote it: no embeddingUpdates, no nerBatching.
    const configFile = join(outDir, 'trainer-config.json');
    const {
      embeddingUpdates: _e,
      nerBatching: _n,
      ...older
    } = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify(older));

    // A lazy run cannot continue a dense one: said, not silently switched.
    await expect(train(model, DATA, { ...CONFIG, embeddingUpdates: 'lazy' }, { outDir, resume: true })).rejects.toThrow(
      /different configuration/,
    );
    const rest: TrainEvent[] = [];
    const resumed = await train(model, DATA, CONFIG, { outDir, resume: true, onEvent: (e) => rest.push(e) });
    expect(resumed.status).toBe('completed');
    expect([...lossesOf(part), ...lossesOf(rest)]).toEqual(lossesOf(full));
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ embeddingUpdates: 'dense', nerBatching: 'examples' });
  });

  it('keeps dense updates for a run written when dense was the default, resumed with the option unset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-older-default-'));
    const model = tinyTrainerModel(dir);
    const dense = { ...CONFIG, embeddingUpdates: 'dense' as const };
    const full: TrainEvent[] = [];
    await train(model, DATA, dense, { outDir: join(dir, 'full'), onEvent: (e) => full.push(e) });
    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const outDir = join(dir, 'old');
    await train(model, DATA, dense, {
      outDir,
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 2) controller.abort();
      },
    });
    // Its trainer-config.json says dense; the same command today leaves the option to the new default (lazy).
    const rest: TrainEvent[] = [];
    const resumed = await train(model, DATA, CONFIG, { outDir, resume: true, onEvent: (e) => rest.push(e) });
    expect(resumed.status).toBe('completed');
    expect([...lossesOf(part), ...lossesOf(rest)]).toEqual(lossesOf(full));
    const saved = JSON.parse(readFileSync(join(outDir, 'trainer-config.json'), 'utf8')) as Record<string, unknown>;
    expect(saved['embeddingUpdates']).toBe('dense');
    // A fresh run of that command is lazy: the new default applies to new runs only.
    await train(model, DATA, CONFIG, { outDir: join(dir, 'new'), onEvent: () => {} });
    const fresh = JSON.parse(readFileSync(join(dir, 'new', 'trainer-config.json'), 'utf8')) as Record<string, unknown>;
    expect(fresh['embeddingUpdates']).toBe('lazy');
  });
});
