import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../model';
import type { TrainEvent } from './events';
import { featureCacheKey, openFeatureCache } from './feature-cache';
import { featureCacheDir } from './frozen-features';
import { tinyTrainerModel, toyData } from './testing';
import { train, type TrainerData } from './trainer';

const DATA: TrainerData = toyData(96, 32);
const HEADS_ONLY = {
  freeze: { preset: 'heads-only' as const },
  epochs: 3,
  batchSize: 16,
  lr: 2e-2,
  device: 'cpu' as const,
  threads: 1,
  seed: 5,
  // No encoder dropout (the cache has none); head dropout draws the same masks on both paths.
  dropout: { hidden: 0, attention: 0, head: 0.1 },
};
const PLENTY = (): number => 1e12;

type Step = Extract<TrainEvent, { type: 'step' }>;
const stepLossesOf = (events: readonly TrainEvent[]): Step['losses'][] =>
  events.flatMap((e) => (e.type === 'step' ? [e.losses] : []));
const messages = (events: readonly TrainEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'message' ? [e.message] : []));

function maxRel(a: readonly number[], b: readonly number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.max(1e-6, Math.abs(b[i]!))));
}

describe('training heads on cached frozen-encoder features', () => {
  it('gives the losses and dev metrics of uncached heads-only training (encoder dropout 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-'));
    const model = tinyTrainerModel(dir);
    const run = async (featureCache: 'on' | 'off') => {
      const events: TrainEvent[] = [];
      const result = await train(
        model,
        DATA,
        { ...HEADS_ONLY, featureCache },
        {
          outDir: join(dir, featureCache),
          freeBytes: PLENTY,
          onEvent: (e) => events.push(e),
        },
      );
      return { events, result };
    };
    const uncached = await run('off');
    const cached = await run('on');
    expect(messages(uncached.events)).toEqual([]);
    expect(messages(cached.events).join('\n')).toMatch(/computed its features once/);
    const [a, b] = [stepLossesOf(cached.events), stepLossesOf(uncached.events)];
    expect(a.length).toBe(18);
    expect(b[17]!.total).toBeLessThan(b[0]!.total * 0.9); // the heads learn: the losses are not constants
    // fp16 features: the per-step losses agree to half-precision rounding, every task, every step.
    expect(
      maxRel(
        a.map((l) => l.total),
        b.map((l) => l.total),
      ),
    ).toBeLessThan(3e-3);
    expect(
      maxRel(
        a.map((l) => l.ner!),
        b.map((l) => l.ner!),
      ),
    ).toBeLessThan(3e-3);
    const acc = (r: typeof cached): number[] => r.result.history.map((h) => h.metrics.classification!.accuracy);
    expect(acc(cached)).toEqual(acc(uncached));
    const devLoss = (r: typeof cached): number[] => r.result.history.map((h) => h.metrics.loss!.total);
    expect(maxRel(devLoss(cached), devLoss(uncached))).toBeLessThan(3e-3);
    // best/ is the whole model (the frozen encoder included), and the derived cache is gone after the run.
    const best = loadCheckpoint(cached.result.bestCheckpoint!);
    const word = 'embeddings.word_embeddings.weight';
    expect(best.params.get(word)!.data).toEqual(model.params.get(word)!.data);
    expect(existsSync(featureCacheDir(join(dir, 'on')))).toBe(false);
  });

  it('resumes a cancelled cached run to the losses of an uninterrupted one, reusing the kept cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-resume-'));
    const model = tinyTrainerModel(dir);
    const cfg = { ...HEADS_ONLY, featureCache: 'on' as const };
    const whole: TrainEvent[] = [];
    await train(model, DATA, cfg, { outDir: join(dir, 'a'), freeBytes: PLENTY, onEvent: (e) => whole.push(e) });
    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const out = join(dir, 'b');
    const stopped = await train(model, DATA, cfg, {
      outDir: out,
      freeBytes: PLENTY,
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 7) controller.abort();
      },
    });
    expect(stopped.status).toBe('cancelled');
    expect(readdirSync(featureCacheDir(out)).sort()).toEqual(['dev.f16', 'key.json', 'train.f16']);
    const rest: TrainEvent[] = [];
    await train(model, DATA, cfg, { outDir: out, resume: true, freeBytes: PLENTY, onEvent: (e) => rest.push(e) });
    expect(messages(rest).join('\n')).toMatch(/reusing its cached features/);
    expect([...stepLossesOf(part), ...stepLossesOf(rest)].map((l) => l.total)).toEqual(
      stepLossesOf(whole).map((l) => l.total),
    );
  });

  it('continues an uncached run with the cache on: resume/ holds the full model either way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-cross-'));
    const model = tinyTrainerModel(dir);
    const whole: TrainEvent[] = [];
    await train(
      model,
      DATA,
      { ...HEADS_ONLY, featureCache: 'off' },
      { outDir: join(dir, 'a'), onEvent: (e) => whole.push(e) },
    );
    const controller = new AbortController();
    const part: TrainEvent[] = [];
    const out = join(dir, 'b');
    const cfgOff = { ...HEADS_ONLY, featureCache: 'off' as const };
    await train(model, DATA, cfgOff, {
      outDir: out,
      signal: controller.signal,
      onEvent: (e) => {
        part.push(e);
        if (e.type === 'step' && e.step === 7) controller.abort();
      },
    });
    const rest: TrainEvent[] = [];
    const resumed = await train(
      model,
      DATA,
      { ...HEADS_ONLY, featureCache: 'on' },
      {
        outDir: out,
        resume: true,
        freeBytes: PLENTY,
        onEvent: (e) => rest.push(e),
      },
    );
    expect(resumed.status).toBe('completed');
    expect(rest.find((e) => e.type === 'started')).toMatchObject({ resumedFromStep: 7 });
    const joined = [...stepLossesOf(part), ...stepLossesOf(rest)].map((l) => l.total);
    expect(
      maxRel(
        joined,
        stepLossesOf(whole).map((l) => l.total),
      ),
    ).toBeLessThan(3e-3);
  });

  it('falls back to uncached training with a message when the disk has no room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-disk-'));
    const events: TrainEvent[] = [];
    const result = await train(
      tinyTrainerModel(dir),
      DATA,
      { ...HEADS_ONLY, epochs: 1 },
      {
        outDir: join(dir, 'run'),
        freeBytes: () => 1024 * 1024, // 1 MiB free
        onEvent: (e) => events.push(e),
      },
    );
    expect(result.status).toBe('completed');
    const warning = events.find((e) => e.type === 'message');
    expect(warning).toMatchObject({ level: 'warning' });
    expect(messages(events)[0]).toMatch(
      /not enough disk for the frozen encoder's feature cache.*1\.0 MiB free; training without the cache/,
    );
    expect(existsSync(featureCacheDir(join(dir, 'run')))).toBe(false);
  });

  it('trains learned task weights (uncertainty) beside the heads, as uncached training does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-uw-'));
    const model = tinyTrainerModel(dir);
    const run = async (featureCache: 'on' | 'off') => {
      const events: TrainEvent[] = [];
      const config = { ...HEADS_ONLY, epochs: 1, featureCache, taskWeighting: 'uncertainty' as const };
      await train(model, DATA, config, {
        outDir: join(dir, featureCache),
        freeBytes: PLENTY,
        onEvent: (e) => events.push(e),
      });
      return events;
    };
    const [cached, uncached] = [await run('on'), await run('off')];
    expect(messages(cached).join('\n')).toMatch(/computed its features once/);
    const totals = (events: readonly TrainEvent[]): number[] => stepLossesOf(events).map((l) => l.total);
    // The log-variances live in the heads' graph with the cache: both paths learn them alike.
    expect(maxRel(totals(cached), totals(uncached))).toBeLessThan(3e-3);
  });

  it('trains uncached, saying why, when silver confidence gives NER tokens weights (the cache has none)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-nw-'));
    const weighted: TrainerData = {
      ...DATA,
      train: DATA.train.map((e) => (e.nerLabels ? { ...e, nerWeights: e.nerLabels.map(() => 0.5) } : e)),
    };
    const events: TrainEvent[] = [];
    const result = await train(
      tinyTrainerModel(dir),
      weighted,
      { ...HEADS_ONLY, epochs: 1 },
      { outDir: join(dir, 'run'), freeBytes: PLENTY, onEvent: (e) => events.push(e) },
    );
    expect(result.status).toBe('completed');
    expect(messages(events)[0]).toMatch(/does not carry per-token NER weights/);
    expect(existsSync(featureCacheDir(join(dir, 'run')))).toBe(false);
  });

  it("says so when 'on' meets a preset that trains the encoder, and trains uncached", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-full-'));
    const events: TrainEvent[] = [];
    await train(
      tinyTrainerModel(dir),
      DATA,
      { ...HEADS_ONLY, epochs: 1, freeze: { preset: 'full' }, featureCache: 'on' },
      {
        outDir: join(dir, 'run'),
        freeBytes: PLENTY,
        onEvent: (e) => events.push(e),
      },
    );
    expect(messages(events)[0]).toMatch(/needs a frozen encoder, but preset 'full' trains encoder layers/);
  });
});

describe('the feature cache key', () => {
  it('changes with the weights, the tokenised data, max length and pooling; a stale cache is rebuilt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-fc-key-'));
    const model = tinyTrainerModel(dir);
    const encoder = new Map([...model.params].filter(([n]) => !n.startsWith('heads.')));
    const id = {
      dims: model.config.dims,
      encoder,
      train: DATA.train,
      dev: DATA.dev,
      maxLength: 32,
      pooling: 'mean' as const,
      precision: 'fp32' as const,
    };
    const key = featureCacheKey(id);
    const word = 'embeddings.word_embeddings.weight';
    const w = encoder.get(word)!;
    const nudged = new Map(encoder).set(word, { shape: w.shape, data: w.data.map((x) => x * 1.01) });
    const retokenised = DATA.train.map((e, i) =>
      i === 3 ? { ...e, ids: [...e.ids.slice(0, -1), 5, e.ids.at(-1)!] } : e,
    );
    for (const other of [
      { ...id, encoder: nudged },
      { ...id, train: retokenised },
      { ...id, maxLength: 64 },
      { ...id, pooling: 'cls' as const },
      { ...id, precision: 'int8' as const },
    ])
      expect(featureCacheKey(other)).not.toBe(key);
    expect(featureCacheKey({ ...id, train: [...DATA.train] })).toBe(key); // same content, same key

    const cacheDir = join(dir, 'cache');
    const build = (identity: typeof id) =>
      openFeatureCache({ dir: cacheDir, identity, device: 'cpu', threads: 1, batchSize: 8 });
    const first = await build(id);
    const batch = DATA.dev.slice(0, 4);
    const before = first.dev.feeds(batch, { classification: false, ner: false })['features']!.data;
    first.close();
    const same = await build(id);
    expect(same.reused).toBe(true);
    same.close();
    const stale = await build({ ...id, encoder: nudged });
    expect(stale.reused).toBe(false);
    expect(stale.dev.feeds(batch, { classification: false, ner: false })['features']!.data).not.toEqual(before);
    stale.close();
    // A damaged key file is not trusted either.
    writeFileSync(join(cacheDir, 'key.json'), '{ not json');
    const rebuilt = await build(id);
    expect(rebuilt.reused).toBe(false);
    expect(rebuilt.dev.feeds(batch, { classification: false, ner: false })['features']!.data).toEqual(before);
    rebuilt.close();
  });
});
