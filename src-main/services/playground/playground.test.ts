import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { runCheckpointDir } from '../train/artifacts';
import { trainedFixture, type TrainFixture } from '../train/testing';
import { createRun } from '../../store/repos/runs';
import { PredictorCache } from './cache';
import { cachedPredictions } from './dev-cache';
import { nearestExamples, predictText, PredictTextInput } from './predict';

/** A predictText input with its defaults filled in, as the dispatcher passes it. */
const ask = (input: z.input<typeof PredictTextInput>): PredictTextInput => PredictTextInput.parse(input);

let f: TrainFixture & { runId: number };
const cache = new PredictorCache(1);
beforeAll(async () => {
  f = await trainedFixture();
});
afterAll(async () => {
  await cache.clear();
  f.cleanup();
});

describe('predictText', () => {
  it('returns class probabilities, entities with offsets and the WordPiece tokens', async () => {
    const text = 'John Smith said shares of Google rose in Paris.';
    const p = await predictText(f.db, ask({ runId: f.runId, text }), { cache });
    expect(p.classProbs.map((c) => c.label)).toEqual(['Business', 'Sports']);
    expect(p.classProbs.reduce((s, c) => s + c.prob, 0)).toBeCloseTo(1, 5);
    expect(p.label).toBe(p.classProbs.reduce((a, b) => (b.prob > a.prob ? b : a)).label);
    for (const e of p.entities) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(e.confidence).toBeGreaterThan(0);
      expect(['LOC', 'ORG', 'PER']).toContain(e.type);
    }
    expect(p.tokens[0]).toMatchObject({ token: '[CLS]', special: true });
    expect(p.tokens.at(-1)).toMatchObject({ token: '[SEP]', special: true });
    const words = p.tokens.filter((t) => !t.special && !t.token.startsWith('##'));
    for (const t of words) expect(text.slice(t.start, t.end).toLowerCase().startsWith(t.token)).toBe(true);
    expect(p.tokens.every((t) => t.classified)).toBe(true);
    expect(p.truncated).toBe(false);

    // The same checkpoint by folder gives the same numbers.
    const byDir = await predictText(f.db, ask({ checkpointDir: p.checkpointDir, text }), { cache });
    expect(byDir.classProbs).toEqual(p.classProbs);
  });

  it('predicts with the int8 model when asked, loaded beside the fp32 one', async () => {
    const text = 'John Smith said shares of Google rose in Paris.';
    const two = new PredictorCache(2);
    const fp32 = await predictText(f.db, ask({ runId: f.runId, text }), { cache: two });
    const int8 = await predictText(f.db, ask({ runId: f.runId, text, precision: 'int8' }), { cache: two });
    expect([fp32.precision, int8.precision]).toEqual(['fp32', 'int8']);
    expect(two.size).toBe(2);
    expect(int8.predictMs).toBeGreaterThan(0);
    expect(int8.classProbs.map((c) => c.label)).toEqual(fp32.classProbs.map((c) => c.label));
    const diffs = int8.classProbs.map((c, i) => Math.abs(c.prob - fp32.classProbs[i]!.prob));
    expect(Math.max(...diffs)).toBeLessThan(0.05);
    expect(Math.max(...diffs)).toBeGreaterThan(0); // really another graph
    await two.clear();
  });

  it('marks the tokens past maxLength that the classifier does not read', async () => {
    const text = 'the team won the game in paris on sunday . '.repeat(6);
    const p = await predictText(f.db, ask({ runId: f.runId, text }), { cache });
    expect(p.truncated).toBe(true);
    // Trained with maxLength 32: [CLS] + 30 tokens are read.
    expect(p.tokens.findIndex((t) => !t.classified)).toBe(31);
  });

  it('refuses bad input with the reason, and keeps at most `capacity` checkpoints loaded', async () => {
    await expect(predictText(f.db, ask({ runId: f.runId, text: '   ' }), { cache })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/empty/),
    });
    await expect(
      predictText(f.db, ask({ runId: f.runId, checkpointDir: '/x', text: 'a' }), { cache }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/exactly one of runId or checkpointDir/),
    });
    await expect(predictText(f.db, ask({ text: 'a' }), { cache })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(predictText(f.db, ask({ checkpointDir: 'runs/best', text: 'a' }), { cache })).rejects.toMatchObject({
      code: 'path_rejected',
    });
    const bare = createRun(f.db, {
      projectId: f.projectId,
      name: 'x',
      config: {},
      preset: 'full',
      modelPath: f.modelDir,
      dataHash: 'b'.repeat(64),
      deviceRequested: 'cpu',
    });
    await expect(predictText(f.db, ask({ runId: bare.id, text: 'a' }), { cache })).rejects.toThrow(/has no checkpoint/);

    const copy = join(f.dir, 'copy-of-best');
    cpSync(runCheckpointDir(f.db, f.runId), copy, { recursive: true });
    const a = await predictText(f.db, ask({ checkpointDir: copy, text: 'John in Paris.' }), { cache });
    const b = await predictText(f.db, ask({ runId: f.runId, text: 'John in Paris.' }), { cache });
    expect(cache.size).toBe(1);
    expect(a.classProbs).toEqual(b.classProbs);
  });
});

describe('nearestExamples', () => {
  it('ranks the run dev examples by cosine similarity, the identical text first', async () => {
    const dev = f.db
      .prepare<[], { id: number; text: string }>(`SELECT id, text FROM examples WHERE split = 'dev' ORDER BY line`)
      .all();
    const target = dev[3]!;
    const r = await nearestExamples(f.db, { runId: f.runId, text: target.text, k: 4 }, { cache });
    expect(r.devExamples).toBe(dev.length);
    expect(r.neighbours).toHaveLength(4);
    expect(r.neighbours[0]!.exampleId).toBe(target.id);
    expect(r.neighbours[0]!.similarity).toBeCloseTo(1, 4);
    const sims = r.neighbours.map((n) => n.similarity);
    expect([...sims].sort((x, y) => y - x)).toEqual(sims);
    expect(sims.at(-1)!).toBeLessThan(sims[0]!);
  });
});

describe('cachedPredictions', () => {
  it('predicts a dev set once per model and content', async () => {
    const items = [
      { id: 1, text: 'John Smith won in Paris.' },
      { id: 2, text: 'Shares of Google fell.' },
    ];
    await cache.use(runCheckpointDir(f.db, f.runId), async (m) => {
      const first = await cachedPredictions(m, items);
      expect(await cachedPredictions(m, items)).toBe(first);
      const edited = await cachedPredictions(m, [items[0]!, { id: 2, text: 'Shares of Microsoft fell.' }]);
      expect(edited).not.toBe(first);
      expect(edited[0]).toEqual(first[0]);
      const fresh = await m.loaded.predictor.predict(items.map((i) => i.text));
      expect(fresh.map((p) => p.ok && p.label)).toEqual(first.map((p) => p.ok && p.label));
    });
  });
});
