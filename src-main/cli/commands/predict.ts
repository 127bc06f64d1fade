/** `mts predict`: class probabilities and entities for texts, from a finished run. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { batchParallelism, DEFAULT_BATCH_SIZE, loadBatchPredictor } from '../../engine/infer';
import { checkpointDir } from '../../services/pipeline';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  run: z.string({ error: '--run DIR is required (the --out folder of mts pipeline, or a checkpoint)' }),
  json: z.boolean().default(false),
  threads: z.coerce.number().int().positive().optional(),
  int8: z.boolean().default(false),
  workers: z.coerce.number().int().min(1).max(64).optional(),
});

export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Predict class and entities for texts (arguments, or one per line on stdin)',
  help: [
    'Usage: mts predict --run DIR [--json] [--int8] [--threads N] [--workers N] [TEXT ...]',
    '',
    'Prints the predicted class with its probability and the entities with character offsets.',
    'Without TEXT arguments, reads one text per line from standard input.',
    '--int8 runs the encoder in int8: faster on CPUs with int8 dot products, slightly less accurate',
    '(npm run bench:quantize measures both on your data).',
    '--threads N caps the CPU threads (default: every core). For more than 64 texts the batches run side by',
    'side on one one-thread worker per thread (at most 4): more texts per second for files; else one session.',
    '--workers N sets the worker count instead, each worker with its own session of --threads (default 1)',
    'threads.',
    '',
    'Example:',
    '  mts predict --run runs/latest "Apple shares rose 3% in New York on Monday."',
  ].join('\n'),
  options: {
    run: { type: 'string' },
    json: { type: 'boolean' },
    threads: { type: 'string' },
    workers: { type: 'string' },
    int8: { type: 'boolean' },
  },
  allowPositionals: true,
  run: async (args, env) => {
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) throw UsageError.fromFlags(parsed.error, args.values);
    const texts =
      args.positionals.length > 0
        ? [...args.positionals]
        : readFileSync(0, 'utf8')
            .split(/\r?\n/)
            .filter((l) => l.length > 0);
    if (texts.length === 0) throw new UsageError('give at least one text, as arguments or on standard input.');
    const { threads, workers } = parsed.data;
    // Without --workers, --threads is a budget (as for self-training and health); with it, a per-worker count.
    const parallel =
      workers !== undefined
        ? { workers, ...(threads !== undefined && { session: { threads } }) }
        : batchParallelism(texts.length, DEFAULT_BATCH_SIZE, threads !== undefined ? { threads } : {});
    const loaded = await loadBatchPredictor(checkpointDir(parsed.data.run), {
      ...parallel,
      precision: parsed.data.int8 ? 'int8' : 'fp32',
    });
    try {
      const results = await loaded.predictor.predict(texts);
      if (parsed.data.json) {
        env.io.out(
          JSON.stringify(
            results.map((r, i) => ({ text: texts[i], ...r })),
            null,
            2,
          ),
        );
        return results.every((r) => r.ok) ? 0 : 1;
      }
      results.forEach((r, i) => {
        env.io.out(texts[i]!);
        if (!r.ok) {
          env.io.out(`  error: ${r.error.message}`);
          return;
        }
        const top = [...r.classProbs].sort((a, b) => b.prob - a.prob).slice(0, 3);
        if (r.label !== null)
          env.io.out(
            `  class: ${top.map((c) => `${c.label} ${(100 * c.prob).toFixed(1)}%`).join(', ')}${r.truncated ? ' (text truncated for the classifier)' : ''}`,
          );
        for (const e of r.entities)
          env.io.out(
            `  ${e.type.padEnd(6)} ${JSON.stringify(e.text)} [${e.start}, ${e.end}) ${(100 * e.confidence).toFixed(1)}%`,
          );
        if (r.entities.length === 0 && loaded.predictor) env.io.out('  (no entities)');
      });
      return results.every((r) => r.ok) ? 0 : 1;
    } finally {
      await loaded.release();
    }
  },
};
