/**
 * Scale-out hand-off: `mts export --run DIR --format hf-trainer --out DIR` writes a ready-to-run PyTorch
 * project that continues a `mts pipeline` run with transformers' Trainer (hf-trainer-files.ts has the code).
 * The data is the run's own: its files are read and prepared again exactly as the pipeline did (same tasks,
 * same tokenizer, same label ids as the checkpoint's heads), so a first batch gives the same loss in both.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { loadCheckpoint } from '../../engine/model';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import type { TrainExample } from '../../engine/trainer';
import { parseInput } from '../api/errors';
import { MODEL_PY, readme, REQUIREMENTS_TXT, TRAIN_PY } from './hf-trainer-files';
import { PipelineInputError } from './read';
import { checkpointDir } from './run-dir';
import { type PipelineOptions, pipelineOptionsSchema } from './run-pipeline';
import { prepareTasks, readTasks } from './tasks';

const trainerConfigFile = z
  .object({
    pooling: z.enum(['mean', 'cls', 'max']),
    epochs: z.number(),
    batchSize: z.number(),
    evalBatchSize: z.number(),
    gradAccumulation: z.number(),
    maxLength: z.number(),
    lr: z.number(),
    schedule: z.string(),
    warmupRatio: z.number(),
    weightDecay: z.number(),
    clipNorm: z.number().nullable(),
    dropout: z.object({ hidden: z.number(), attention: z.number(), head: z.number() }),
    lossWeights: z.object({ classification: z.number(), ner: z.number() }),
    seed: z.number(),
  })
  .loose();

export interface HfTrainerExport {
  readonly outDir: string;
  readonly files: readonly string[];
  readonly train: number;
  readonly dev: number;
}

/**
 * The PyTorch project's loss is the fixed weighted sum over every label: a run trained with learned task
 * weights or confidence-weighted silver labels would continue as a different objective, so it is refused;
 * so is a self-trained one, whose labels are not in its data files.
 */
function refuseUnportedOptions(o: PipelineOptions, run: string): void {
  if (o.selfTrain > 0) {
    // <out> of a self-training run, or one of its round folders <out>/round-<r>.
    const round0 = join(/^round-\d+$/.test(basename(run)) ? dirname(run) : run, 'round-0');
    throw new PipelineInputError(
      `${run} was trained with --self-train ${o.selfTrain}: its rounds after the first train on the previous round's predictions, which the hf-trainer project cannot re-create from the data files. Export ${round0} (the plain silver run of round 0), or a run trained without --self-train.`,
    );
  }
  const used = [
    ...(o.taskWeighting !== 'fixed' ? [`--task-weighting ${o.taskWeighting}`] : []),
    ...(o.silverMinConfidence > 0 || o.silverWeights !== 'ignore'
      ? [`--silver-min-confidence ${o.silverMinConfidence} --silver-weights ${o.silverWeights}`]
      : []),
  ];
  if (used.length > 0) {
    throw new PipelineInputError(
      `${run} was trained with ${used.join(' and ')}, which the hf-trainer project's loss does not implement (it would continue a different objective); export a run trained without them.`,
    );
  }
}

/** Writes the PyTorch project for the run in `runDir` into `outDir` (a new or empty folder). */
export async function exportHfTrainer(runDir: string, outDir: string): Promise<HfTrainerExport> {
  const ckptDir = checkpointDir(runDir);
  const run = dirname(ckptDir);
  const pipelineFile = join(run, 'pipeline.json');
  if (!existsSync(pipelineFile)) {
    throw new PipelineInputError(
      `${run} has no pipeline.json: --format hf-trainer re-reads the run's data files, which only \`mts pipeline\` runs record.`,
    );
  }
  const stored = JSON.parse(readFileSync(pipelineFile, 'utf8')) as { options?: unknown };
  const options = parseInput(pipelineOptionsSchema, stored.options, `${pipelineFile} options`);
  refuseUnportedOptions(options, run);
  const recipe = parseInput(
    trainerConfigFile,
    JSON.parse(readFileSync(join(run, 'trainer-config.json'), 'utf8')),
    'trainer-config.json',
  );
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new PipelineInputError(`${out} is not empty; pick a new folder for the project.`);
  }

  const ckpt = loadCheckpoint(ckptDir);
  const classLabels = ckpt.meta.heads.classification?.labels ?? [];
  const nerTags = ckpt.meta.heads.ner?.labels ?? [];
  const tokenizer = WordPieceTokenizer.fromDir(ckptDir);
  const tasks = await readTasks(options, () => undefined);
  const { train, dev } = prepareTasks(tasks, tokenizer, { classLabels, nerTags, maxLength: recipe.maxLength });

  mkdirSync(join(out, 'data'), { recursive: true });
  cpSync(ckptDir, join(out, 'model'), { recursive: true });
  const jsonl = (rows: readonly TrainExample[]): string => rows.map((e) => JSON.stringify(e)).join('\n') + '\n';
  writeFileSync(join(out, 'data', 'train.jsonl'), jsonl(train));
  writeFileSync(join(out, 'data', 'dev.jsonl'), jsonl(dev));
  writeFileSync(
    join(out, 'recipe.json'),
    JSON.stringify({ ...recipe, classLabels, nerTags, padId: tokenizer.padId }, null, 2),
  );
  writeFileSync(join(out, 'model.py'), MODEL_PY);
  writeFileSync(join(out, 'train.py'), TRAIN_PY);
  writeFileSync(join(out, 'requirements.txt'), REQUIREMENTS_TXT);
  writeFileSync(join(out, 'README.md'), readme({ runDir: run, train: train.length, dev: dev.length }));
  const files = [
    'model/',
    'data/train.jsonl',
    'data/dev.jsonl',
    'recipe.json',
    'model.py',
    'train.py',
    'requirements.txt',
    'README.md',
  ];
  return { outDir: out, files, train: train.length, dev: dev.length };
}
