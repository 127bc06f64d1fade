import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import { learningCurve, shareOf } from './curve';
import { readTasks } from './tasks';
import { pipelineOptions } from './run-pipeline';

const TEXTS: Record<string, string> = {
  Sports: 'The team won the game on Sunday in Boston.',
  Business: 'Shares of the company fell 5 percent on Monday.',
  World: 'The minister met leaders in Paris about the talks.',
};

// `n` rows cycling through `labels`; `rare` (if given) appears once, in the last row.
function csv(n: number, labels: readonly string[], rare?: string): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const label = rare !== undefined && i === n - 1 ? rare : labels[i % labels.length]!;
    return `${label},"${TEXTS[label]} Report ${i}."`;
  });
  return `label,text\n${rows.join('\n')}\n`;
}

function setup(trainCsv: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mts-curve-'));
  const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
  writeFileSync(join(dir, 'train.csv'), trainCsv);
  writeFileSync(join(dir, 'dev.csv'), csv(9, ['Sports', 'Business', 'World']));
  const options = pipelineOptions({
    train: join(dir, 'train.csv'),
    dev: join(dir, 'dev.csv'),
    model,
    out: join(dir, 'curve'),
    epochs: 1,
    batchSize: 8,
    lr: 1e-3,
    ner: 'none',
    device: 'cpu',
    threads: 1,
  });
  return { dir, options };
}

describe('learningCurve', () => {
  it('trains nested shares of the data and writes one run per share and curve.json', async () => {
    const { dir, options } = setup(csv(48, ['Sports', 'Business', 'World']));
    const result = await learningCurve(options, [0.5, 1]);
    expect(result.points.map((p) => [p.fraction, p.trainExamples])).toEqual([
      [0.5, 24],
      [1, 48],
    ]);
    for (const p of result.points) {
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.nerF1).toBeNull();
      expect(existsSync(join(p.outDir, 'best', 'config.json'))).toBe(true);
    }
    const saved = JSON.parse(readFileSync(join(dir, 'curve', 'curve.json'), 'utf8'));
    expect(saved.points).toHaveLength(2);
    expect(typeof saved.lastGainPoints.accuracy).toBe('number');
    expect(saved.devExamples).toBe(9);
  }, 120_000);

  it("puts each share's entity F1 beside the silver labeler's when the dev has gold tags", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-curve-gold-'));
    const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    const names = ['John Smith', 'Mary Jones', 'Peter Brown', 'Anna White'];
    const places = ['Paris', 'London', 'Berlin', 'Madrid'];
    const text = (i: number): string => `${names[i % 4]} flew to ${places[(i + 1) % 4]} on Monday .`;
    writeFileSync(join(dir, 'train.csv'), `text\n${Array.from({ length: 32 }, (_, i) => text(i)).join('\n')}\n`);
    const conll = Array.from({ length: 6 }, (_, i) => {
      const [first, last] = names[i % 4]!.split(' ');
      return [
        `${first} B-PER`,
        `${last} I-PER`,
        'flew O',
        'to O',
        `${places[(i + 1) % 4]} B-LOC`,
        'on O',
        'Monday O',
        '. O',
      ];
    });
    writeFileSync(join(dir, 'dev.txt'), conll.map((s) => s.join('\n')).join('\n\n') + '\n');
    const options = pipelineOptions({
      train: join(dir, 'train.csv'),
      dev: join(dir, 'dev.txt'),
      model,
      out: join(dir, 'curve'),
      epochs: 1,
      batchSize: 8,
      lr: 1e-3,
      device: 'cpu',
      threads: 1,
    });
    const result = await learningCurve(options, [0.5, 1]);
    expect(result.labeler?.id).toMatch(/^silver@/);
    expect(result.labeler!.f1).toBeGreaterThan(0.5); // the rules know these names and places
    for (const p of result.points) expect(p.vsLabelerPoints).toBeCloseTo(100 * (p.nerF1! - result.labeler!.f1), 6);
  }, 120_000);

  it('refuses shares smaller than a batch or missing a class, with the numbers, before training', async () => {
    const small = setup(csv(20, ['Sports', 'Business'], 'World'));
    await expect(learningCurve(small.options, [0.25, 1])).rejects.toThrow(
      /25 % of the training data is 6 texts, fewer than one batch of 8/, // 3 + 2 + 1: per class, at least one
    );
    // The one "World" row is in every share, whatever the seed: shares are stratified by class.
    const tasks = await readTasks(small.options, () => {});
    for (const seed of [...Array(30).keys()])
      expect(shareOf(tasks, 0.5, seed).mainTrain.filter((e) => e.label === 'World')).toHaveLength(1);
    expect(existsSync(join(small.dir, 'curve'))).toBe(false);
    await expect(learningCurve(small.options, [0, 1.5])).rejects.toThrow(/fractions must lie in \(0, 1\], got 0, 1.5/);
  });

  it('stops at Ctrl+C: the share cut short is no point, curve.json says cancelled and keeps the finished shares', async () => {
    const { options } = setup(csv(64, ['Sports', 'Business', 'World']));
    const stop = new AbortController();
    let finished = 0;
    const result = await learningCurve({ ...options, epochs: 4, evalEverySteps: 1 }, [0.5, 1], {
      signal: stop.signal,
      onPoint: () => finished++,
      // Cancel the 100 % share after it has evaluated twice: it has a best-so-far, which must not count.
      onEvent: (e) => {
        if (finished === 1 && e.type === 'train' && e.event.type === 'eval' && e.event.step === 2) stop.abort();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(result.points.map((p) => p.fraction)).toEqual([0.5]);
    const file = JSON.parse(readFileSync(join(result.outDir, 'curve.json'), 'utf8')) as { status: string };
    expect(file.status).toBe('cancelled');
  }, 60_000);

  it('keeps the finished shares in curve.json when a later share fails, with the error', async () => {
    const { options } = setup(csv(64, ['Sports', 'Business', 'World']));
    // A file where the 100 % share's run folder goes: that share cannot write its run.
    mkdirSync(options.out, { recursive: true });
    writeFileSync(join(options.out, 'share-100'), 'in the way');
    await expect(learningCurve(options, [0.5, 1])).rejects.toThrow();
    const file = JSON.parse(readFileSync(join(options.out, 'curve.json'), 'utf8')) as {
      status: string;
      error: string;
      points: { fraction: number }[];
    };
    expect(file.status).toBe('failed');
    expect(file.error).toMatch(/^the 100 % share failed: .*(EEXIST|ENOTDIR|not a directory|exists)/);
    expect(file.points.map((p) => p.fraction)).toEqual([0.5]);
  }, 60_000);
});
