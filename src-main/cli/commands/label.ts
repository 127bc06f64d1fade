/** `mts label --eval FILE.conll`: scores the silver labeler against gold CoNLL. */
import { z } from 'zod';
import { evaluateLabeler, formatEvaluation, silverLabeler, entityLabeler } from '../../data/silver';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  eval: z.string({ error: '--eval FILE.conll is required' }),
  types: z.string().default('PER,ORG,LOC'),
  json: z.boolean().default(false),
});

export const labelCommand: CliCommand = {
  name: 'label',
  summary: 'Score the silver NER labeler on gold CoNLL (per-type P/R/F1, words/s)',
  help: [
    'Usage: mts label --eval FILE.conll [--types PER,ORG,LOC] [--json]',
    '',
    'Types outside --types are ignored on both sides (e.g. CoNLL MISC).',
  ].join('\n'),
  options: { eval: { type: 'string' }, types: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: false,
  run: async (args, env) => {
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) throw UsageError.fromFlags(parsed.error, args.values);
    const types = parsed.data.types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const labeler = types.every((t) => ['PER', 'ORG', 'LOC'].includes(t))
      ? entityLabeler({ types })
      : silverLabeler({ types });
    const result = await evaluateLabeler(parsed.data.eval, labeler, types);
    env.io.out(parsed.data.json ? JSON.stringify(result, null, 2) : formatEvaluation(result));
    return 0;
  },
};
