/** `mts eval`: scores a finished run on a labelled file with the trainer's metrics. */
import { z } from 'zod';
import { evaluateRun } from '../../services/pipeline';
import { formatMetrics } from '../report/metrics-report';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  run: z.string({ error: '--run DIR is required' }),
  data: z.string({ error: '--data FILE is required (CSV label,text; CoNLL or span JSONL for gold NER)' }),
  json: z.boolean().default(false),
  limit: z.coerce.number().int().nonnegative().default(0),
  threads: z.coerce.number().int().positive().optional(),
});

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'Evaluate a run on a labelled file (accuracy, macro-F1, confusion, entity P/R/F1)',
  help: [
    'Usage: mts eval --run DIR --data FILE [--json] [--limit N]',
    '',
    "Classification is scored on the file's labels. NER is scored on the file's spans (CoNLL, span JSONL);",
    'a CSV has none, so its NER is scored against silver labels made now, as during training.',
  ].join('\n'),
  options: {
    run: { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean' },
    limit: { type: 'string' },
    threads: { type: 'string' },
  },
  allowPositionals: false,
  run: async (args, env) => {
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) throw UsageError.fromFlags(parsed.error, args.values);
    const a = parsed.data;
    const r = await evaluateRun({ run: a.run, data: a.data, limit: a.limit, ...(a.threads && { threads: a.threads }) });
    if (a.json) env.io.out(JSON.stringify(r, null, 2));
    else {
      env.io.out(`${r.examples} examples; NER scored against ${r.nerSource} labels.`);
      env.io.out(formatMetrics(r.metrics));
    }
    return 0;
  },
};
