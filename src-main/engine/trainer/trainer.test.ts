import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../model';
import type { TrainEvent } from './events';
import { tinyTrainerModel, toyData } from './testing';
import { train, type TrainerData } from './trainer';

const DATA: TrainerData = toyData(128, 48);
const BASE = {
  freeze: { preset: 'full' as const },
  epochs: 10,
  batchSize: 16,
  lr: 3e-3,
  warmupRatio: 0.1,
  device: 'cpu' as const,
  threads: 1,
  seed: 5,
  dropout: { hidden: 0, attention: 0, head: 0 },
};

describe('train', () => {
  it('learns both heads, keeps the best checkpoint and reports progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-train-'));
    const events: TrainEvent[] = [];
    const result = await train(tinyTrainerModel(dir), DATA, BASE, {
      outDir: join(dir, 'run'),
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('completed');
    expect(result.device.used).toBe('cpu');
    expect(result.device.notes).toEqual([]); // the CPU trains every table (DirectML notes its frozen word table)
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(80);
    const first = steps[0]!.type === 'step' ? steps[0]!.losses.total : 0;
    const last =
      steps.at(-1)!.type === 'step' ? (steps.at(-1) as Extract<TrainEvent, { type: 'step' }>).losses.total : 0;
    expect(last).toBeLessThan(first * 0.5);
    expect(result.best.metrics?.classification?.accuracy).toBeGreaterThan(0.9);
    expect(result.best.metrics?.ner?.f1).toBeGreaterThan(0.9);
    // Both heads train: auto keeps the checkpoint with the best mean of accuracy and entity F1.
    expect(result.best.metric).toBe('tasks.mean');
    const { classification, ner } = result.best.metrics!;
    expect(result.best.value).toBeCloseTo((classification!.accuracy + ner!.f1) / 2, 12);
    expect(events.filter((e) => e.type === 'eval')).toHaveLength(10);
    const ckpt = loadCheckpoint(result.bestCheckpoint!);
    expect(ckpt.meta.heads.ner?.labels).toEqual(['O', 'B-ENT', 'I-ENT']);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'metrics.json'), 'utf8')).status).toBe('completed');
  });

  it('refuses a selection metric for a head the run does not train, before building anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-select-'));
    const clsOnly: TrainerData = {
      ...DATA,
      nerTags: [],
      train: DATA.train.map(({ nerLabels: _n, ...e }) => e),
      dev: DATA.dev.map(({ nerLabels: _n, ...e }) => e),
    };
    const events: string[] = [];
    const run = train(
      tinyTrainerModel(dir),
      clsOnly,
      { ...BASE, epochs: 1, selectMetric: 'ner.f1' },
      { outDir: join(dir, 'run'), onEvent: (e) => events.push(e.type) },
    );
    await expect(run).rejects.toThrow(
      /cannot be picked by ner\.f1: it scores the ner head.*Choose auto, classification\.accuracy, classification\.macroF1\./,
    );
    // Refused before a device was chosen or a session built: nothing was reported, nothing written.
    expect(events).toEqual([]);
    expect(existsSync(join(dir, 'run', 'trainer-config.json'))).toBe(false);
  });

  it('is repeatable, and a cancelled run resumes to the same result as an uninterrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-resume-'));
    const model = tinyTrainerModel(dir);
    const config = { ...BASE, epochs: 2, dropout: { hidden: 0.1, attention: 0.1, head: 0.1 } };
    const lossesOf = (events: TrainEvent[]): number[] =>
      events.flatMap((e) => (e.type === 'step' ? [e.losses.total] : []));
    const full: TrainEvent[] = [];
    await train(model, DATA, config, { outDir: join(dir, 'a'), onEvent: (e) => full.push(e) });
    const again: TrainEvent[] = [];
    await train(model, DATA, config, { outDir: join(dir, 'b'), onEvent: (e) => again.push(e) });
    expect(lossesOf(again)).toEqual(lossesOf(full));

    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const cancelled = await train(model, DATA, config, {
      outDir: join(dir, 'c'),
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 9) controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');
    expect(existsSync(join(dir, 'c', 'resume', 'state.json'))).toBe(true);
    const rest: TrainEvent[] = [];
    const resumed = await train(model, DATA, config, {
      outDir: join(dir, 'c'),
      resume: true,
      onEvent: (e) => rest.push(e),
    });
    expect(resumed.status).toBe('completed');
    expect([...lossesOf(part), ...lossesOf(rest)]).toEqual(lossesOf(full));
  });

  it('resumes a run saved before the metric was stored by the metric its best/ was kept by', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-resume-old-'));
    const model = tinyTrainerModel(dir);
    const config = { ...BASE, epochs: 2, evalEverySteps: 3 };
    const cut = async (name: string): Promise<string> => {
      const controller = new AbortController();
      await train(model, DATA, config, {
        outDir: join(dir, name),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step' && e.step === 7) controller.abort();
        },
      });
      // The state as an older version wrote it: no metric name.
      const stateFile = join(dir, name, 'resume', 'state.json');
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { earlyStopping: Record<string, unknown> };
      expect(state.earlyStopping['metric']).toBe('tasks.mean');
      delete state.earlyStopping['metric'];
      writeFileSync(stateFile, JSON.stringify(state));
      return join(dir, name);
    };
    // Saved while auto already meant the heads' mean: best/ says so, and the run goes on by it.
    const recent = await cut('recent');
    const resumed = await train(model, DATA, config, { outDir: recent, resume: true });
    expect(resumed.best.metric).toBe('tasks.mean');

    // Saved while auto meant accuracy: best/ records that, and the run keeps it.
    const older = await cut('older');
    const bestConfig = join(older, 'best', 'config.json');
    const raw = JSON.parse(readFileSync(bestConfig, 'utf8')) as { mts: { extra: Record<string, unknown> } };
    raw.mts.extra['metric'] = 'classification.accuracy';
    writeFileSync(bestConfig, JSON.stringify(raw));
    const kept = await train(model, DATA, config, { outDir: older, resume: true });
    expect(kept.best.metric).toBe('classification.accuracy');
    const at = kept.history.find((h) => h.step === kept.best.step);
    if (at) expect(kept.best.value).toBe(at.metrics.classification!.accuracy);
  });

  it('refuses the frozen preset and bad labels with actionable messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-bad-'));
    const model = tinyTrainerModel(dir);
    await expect(
      train(model, DATA, { ...BASE, freeze: { preset: 'frozen' } }, { outDir: join(dir, 'x') }),
    ).rejects.toThrow(/trains nothing/);
    const bad = { ...DATA, train: [{ ids: [2, 20, 3], classLabel: 5 }] };
    await expect(train(model, bad, BASE, { outDir: join(dir, 'y') })).rejects.toThrow(/class id 5; expected 0..1/);
    await expect(train(model, DATA, { ...BASE, epochs: 0 }, { outDir: join(dir, 'z') })).rejects.toThrow(/"epochs"/);
  });
});
