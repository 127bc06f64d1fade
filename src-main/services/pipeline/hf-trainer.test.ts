import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointModel } from '../../engine/infer';
import { buildModelTrainingGraph, loadCheckpoint } from '../../engine/model';
import { writeTinyBert } from '../../engine/model/testing';
import { TrainingSession } from '../../engine/runtime';
import { type TrainExample, trainingFeeds } from '../../engine/trainer';
import { exportHfTrainer } from './hf-trainer';
import { pipelineOptions, runPipeline } from './run-pipeline';

const PYTHON = join(import.meta.dirname, '../../../.venv/bin/python');
const ROWS = [
  ['Sports', 'John Smith and the team won the game on Sunday in Boston.'],
  ['Business', 'Shares of Acme Corp fell 5 percent on Monday.'],
  ['Sports', 'The season ended with a win for the team in Paris.'],
  ['Business', 'The bank said sales rose to $3 billion in 2004.'],
];
const csv = (n: number): string =>
  ['label,text', ...Array.from({ length: n }, (_, i) => `${ROWS[i % 4]![0]},"${ROWS[i % 4]![1]} Report ${i}."`)].join(
    '\n',
  ) + '\n';

function torchReady(): string | null {
  if (!existsSync(PYTHON)) return 'no .venv (npm run setup:ref creates it)';
  try {
    execFileSync(PYTHON, ['-c', 'import torch, transformers, safetensors, accelerate'], { stdio: 'ignore' });
    return null;
  } catch {
    return '.venv lacks torch/transformers (npm run setup:ref)';
  }
}

describe('exportHfTrainer (mts export --format hf-trainer)', () => {
  it('refuses a run trained with learned task weights or confidence-weighted silver labels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-hft-refuse-'));
    mkdirSync(join(dir, 'run', 'best'), { recursive: true });
    writeFileSync(join(dir, 'run', 'best', 'config.json'), '{}');
    const write = (extra: object) =>
      writeFileSync(join(dir, 'run', 'pipeline.json'), JSON.stringify({ options: { model: 'm', out: 'o', ...extra } }));
    write({ taskWeighting: 'uncertainty' });
    await expect(exportHfTrainer(join(dir, 'run'), join(dir, 'p'))).rejects.toThrow(
      /trained with --task-weighting uncertainty, which the hf-trainer project's loss does not implement/,
    );
    write({ silverMinConfidence: 0.6 });
    await expect(exportHfTrainer(join(dir, 'run'), join(dir, 'p'))).rejects.toThrow(
      /--silver-min-confidence 0\.6 --silver-weights ignore/,
    );
  });

  it("exports a silver-train, gold-dev run with the dev's gold tags (MISC dropped), not silver ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-hft-gold-'));
    const model = writeTinyBert(join(dir, 'base'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    writeFileSync(join(dir, 'texts.csv'), ['text', ...ROWS.map(([, t]) => `"${t}"`)].join('\n'));
    const gold = 'Anna B-PER\nsold O\nDanish B-MISC\ncheese B-ORG\nin O\nOslo B-LOC\n. O\n\nNothing O\nhere O\n';
    writeFileSync(join(dir, 'valid.txt'), gold);
    const run = join(dir, 'run');
    const opts = { maxSteps: 1, batchSize: 4, device: 'cpu' as const, threads: 1, checkpointEverySec: 0 };
    const result = await runPipeline(
      pipelineOptions({ train: join(dir, 'texts.csv'), dev: join(dir, 'valid.txt'), model, out: run, ...opts }),
    );
    expect(result.data.labelSources.ner).toMatchObject({ kind: 'silver-train-gold-dev' });
    await exportHfTrainer(run, join(dir, 'project'));
    const dev = readFileSync(join(dir, 'project', 'data', 'dev.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainExample);
    const tags = JSON.parse(readFileSync(join(dir, 'project', 'recipe.json'), 'utf8')).nerTags as string[];
    const named = (e: TrainExample): string[] => e.nerLabels!.filter((t) => t >= 0).map((t) => tags[t]!);
    // Words "Anna sold Danish cheese in Oslo ." (MISC now O; "cheese" is gold ORG, which no silver rule
    // would say), then an all-O sentence.
    expect(named(dev[0]!)).toEqual(['B-PER', 'O', 'O', 'B-ORG', 'O', 'B-LOC', 'O']);
    expect(named(dev[1]!)).toEqual(['O', 'O']);
  }, 60_000);

  it("writes the run's data, recipe and a Trainer project whose first loss equals ours on the same batch", async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-hft-'));
    const model = writeTinyBert(join(dir, 'base'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    writeFileSync(join(dir, 'train.csv'), csv(24));
    writeFileSync(join(dir, 'dev.csv'), csv(8));
    const opts = { epochs: 1, batchSize: 8, lr: 1e-3, device: 'cpu' as const, threads: 1, checkpointEverySec: 0 };
    const run = join(dir, 'run');
    await runPipeline(
      pipelineOptions({ train: join(dir, 'train.csv'), dev: join(dir, 'dev.csv'), model, out: run, ...opts }),
    );

    const out = join(dir, 'project');
    const project = await exportHfTrainer(run, out);
    expect(project.train).toBe(24);
    expect(project.dev).toBe(8);
    for (const f of [
      'model/config.json',
      'model/model.safetensors',
      'data/train.jsonl',
      'recipe.json',
      'train.py',
      'model.py',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    const rows = readFileSync(join(out, 'data', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainExample);
    expect(rows).toHaveLength(24);
    expect(rows[0]!.nerLabels).toHaveLength(rows[0]!.ids.length);
    const recipe = JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8'));
    expect(recipe).toMatchObject({ classLabels: ['Business', 'Sports'], batchSize: 8, pooling: 'mean' });
    await expect(exportHfTrainer(run, out)).rejects.toThrow(/not empty/);

    const missing = torchReady();
    if (missing !== null) {
      console.warn(`hf-trainer run check skipped: ${missing}`);
      return ctx.skip();
    }
    // Ours: the first batch (file order) through a training graph without dropout, on the exported weights.
    const { spec, store } = checkpointModel(loadCheckpoint(join(out, 'model')));
    const built = buildModelTrainingGraph({
      model: spec,
      freeze: { preset: 'full' },
      clipNorm: 1,
      dropout: { hidden: 0, attention: 0, head: 0 },
    });
    const session = await TrainingSession.create({
      bytes: built.bytes,
      layout: built.layout,
      adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
      schedule: { kind: 'constant', lr: 1e-3 },
      params: new Map([...store].map(([n, t]) => [n, t.data])),
      seed: 1,
      threads: 1,
    });
    const ours = (
      await session.trainStep(trainingFeeds(rows.slice(0, 8), recipe.padId, { classification: true, ner: true }))
    ).loss;
    await session.release();
    const printed = execFileSync(
      PYTHON,
      ['train.py', '--max-steps', '2', '--no-dropout', '--no-shuffle', '--print-first-loss'],
      {
        cwd: out,
        encoding: 'utf8',
        env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error', HF_HUB_OFFLINE: '1' },
      },
    );
    const lines = printed
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{"'))
      .map((l) => JSON.parse(l));
    const first = lines.find((l) => 'first_loss' in l)!.first_loss as number;
    expect(Math.abs(first - ours) / ours).toBeLessThan(1e-4);
    expect(lines.find((l) => 'steps' in l)).toMatchObject({ steps: 2 });
  }, 240_000);
});
