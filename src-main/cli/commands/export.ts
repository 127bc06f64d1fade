/** `mts export`: the portable bundle (ONNX with both heads, tokenizer, labels, model card, example code). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { exportCheckpoint, formatSize } from '../../engine/infer';
import { checkpointDir, exportHfTrainer } from '../../services/pipeline';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  run: z.string({ error: '--run DIR is required' }),
  out: z.string({ error: '--out DIR is required (a new or empty folder)' }),
  name: z.string().optional(),
  json: z.boolean().default(false),
  int8: z.boolean().default(false),
  format: z.enum(['bundle', 'hf-trainer']).default('bundle'),
});

function cardMetrics(runDir: string): Record<string, number> {
  const file = join(runDir, 'metrics.json');
  if (!existsSync(file)) return {};
  const m = JSON.parse(readFileSync(file, 'utf8')) as {
    best?: { metrics?: { classification?: { accuracy: number; macroF1: number }; ner?: { f1: number } } };
  };
  const best = m.best?.metrics;
  return {
    ...(best?.classification && {
      'dev accuracy': best.classification.accuracy,
      'dev macro-F1': best.classification.macroF1,
    }),
    ...(best?.ner && { 'dev entity F1': best.ner.f1 }),
  };
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a run as a portable bundle (ONNX + tokenizer + labels + model card), parity-checked',
  help: [
    'Usage: mts export --run DIR --out DIR [--name NAME] [--int8] [--json]',
    '       mts export --run DIR --out DIR --format hf-trainer',
    '',
    "--format hf-trainer writes a PyTorch project instead (model.py, train.py with transformers' Trainer, the",
    "run's data as JSONL, its recipe) to continue the run on a GPU cluster; see its README.md.",
    '',
    'The export fails if the exported graph and the in-app predictor disagree on sample texts.',
    'The weights are on disk once: model.onnx and the per-head graphs (<head>/onnx/model.onnx, for',
    'transformers.js) read model.onnx_data; the head folders hold hard links to it (a zip stores copies).',
    '--int8 also writes int8 graphs: model.int8.onnx and <head>/onnx/model_quantized.onnx (what',
    "transformers.js loads with dtype 'q8') over one model.int8.onnx_data, checked the same way. Only the",
    "encoder's dense layers become int8 and the embeddings stay float32: MiniLM's int8 weights are 64 % of fp32.",
  ].join('\n'),
  options: {
    run: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    int8: { type: 'boolean' },
    format: { type: 'string' },
  },
  allowPositionals: false,
  run: async (args, env) => {
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) throw UsageError.fromFlags(parsed.error, args.values);
    const a = parsed.data;
    if (a.format === 'hf-trainer') {
      const project = await exportHfTrainer(a.run, a.out);
      if (a.json) env.io.out(JSON.stringify(project, null, 2));
      else {
        env.io.out(`Wrote a PyTorch project to ${project.outDir}: ${project.files.join(', ')}`);
        env.io.out(
          `  ${project.train} training and ${project.dev} dev examples; run: cd ${project.outDir} && python train.py`,
        );
      }
      return 0;
    }
    const ckpt = checkpointDir(a.run);
    const runDir = dirname(ckpt);
    const pipeline = existsSync(join(runDir, 'pipeline.json'))
      ? (JSON.parse(readFileSync(join(runDir, 'pipeline.json'), 'utf8')) as {
          options?: { train?: string; model?: string; preset?: string };
        })
      : {};
    const report = await exportCheckpoint(
      ckpt,
      a.out,
      {
        name: a.name ?? 'multitask-model',
        baseModel: pipeline.options?.model ?? 'unknown',
        data: pipeline.options?.train ? `trained on ${pipeline.options.train}` : 'unknown',
        preset: pipeline.options?.preset ?? 'unknown',
        metrics: cardMetrics(runDir),
      },
      { int8: a.int8 },
    );
    if (a.json) env.io.out(JSON.stringify(report, null, 2));
    else {
      env.io.out(
        `Exported ${report.files.length} files to ${report.outDir}: ${formatSize(report.bytesOnDisk)} on disk ` +
          `(hard links counted once; ${formatSize(report.bytesAsCopies)} where links become copies, e.g. in a zip)`,
      );
      for (const p of report.parity) env.io.out(`  parity: ${JSON.stringify(p)}`);
      const drift = report.int8Drift;
      if (drift) {
        const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
        env.io.out(
          `  int8 vs fp32 on ${report.sampleCount} sample texts: same class ${pct(drift.sameClass)}, same tag ${pct(drift.sameTag)} of tokens`,
        );
      }
    }
    return 0;
  },
};
