/** `mts health`: duplicates, train/dev leakage, likely label errors, class balance and length outliers. */
import { z } from 'zod';
import { checkFiles, HealthFilesInput, type HealthReport } from '../../services/health';
import { parseInput } from '../../services/api';
import { UsageError, type CliCommand } from '../types';

const argsSchema = z.object({
  data: z.string({ error: '--data FILE is required (CSV label,text; JSONL; CoNLL)' }),
  dev: z.string().optional(),
  model: z.string().optional(),
  run: z.string().optional(),
  json: z.boolean().default(false),
  folds: z.coerce.number().int().optional(),
  threshold: z.coerce.number().optional(),
  'max-length': z.coerce.number().int().optional(),
  fp32: z.boolean().default(false),
  threads: z.coerce.number().int().positive().optional(),
  top: z.coerce.number().int().positive().default(10),
});

export const healthCommand: CliCommand = {
  name: 'health',
  summary: 'Check a dataset before training: duplicates, dev leakage, likely label errors, balance, lengths',
  help: [
    'Usage: mts health --data FILE [--dev FILE] [--model DIR | --run DIR] [--json]',
    '',
    'Finds exact duplicates (normalised text), near duplicates (cosine of sentence embeddings),',
    'duplicates whose labels disagree, dev rows that also sit in train (and dev accuracy without them),',
    'likely label errors (confident learning on 10-fold out-of-sample probabilities: a linear head on the',
    "frozen encoder's features, nearest neighbours and a bag-of-words head), class balance and length outliers.",
    '',
    '  --model DIR     encoder for the embeddings (a BERT-family folder, e.g. all-MiniLM-L6-v2)',
    '  --run DIR       a run (or checkpoint): its classifier scores dev; it embeds when --model is absent',
    '  --dev FILE      a dev file to check for leakage from train',
    '  --folds K       folds of the label check (default 10, down to 5 when a class has fewer than 10 rows)',
    '  --threshold X   near-duplicate cosine similarity (default 0.95)',
    '  --max-length N  tokens per text for the embeddings (default 64)',
    '  --fp32          embed in fp32 instead of int8 (slower, nearly the same vectors)',
    '  --top N         findings listed per check in the text output (default 10; --json lists all)',
    '',
    'Rows are 1-based data rows of the files (the header is not a row). Without --model or --run only',
    'the text checks run. In --json, labelErrors[].score is 1 - the out-of-sample probability of the',
    'given label (higher = more likely wrong).',
    '',
    'Example:',
    '  mts health --data train.csv --dev dev.csv --model ../models/all-MiniLM-L6-v2',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    dev: { type: 'string' },
    model: { type: 'string' },
    run: { type: 'string' },
    json: { type: 'boolean' },
    folds: { type: 'string' },
    threshold: { type: 'string' },
    'max-length': { type: 'string' },
    fp32: { type: 'boolean' },
    threads: { type: 'string' },
    top: { type: 'string' },
  },
  allowPositionals: false,
  run: async (args, env) => {
    const parsed = argsSchema.safeParse(args.values);
    if (!parsed.success) throw UsageError.fromFlags(parsed.error, args.values);
    const a = parsed.data;
    const input = parseInput(
      HealthFilesInput,
      {
        data: a.data,
        dev: a.dev,
        model: a.model,
        run: a.run,
        folds: a.folds,
        nearThreshold: a.threshold,
        maxLength: a['max-length'],
        precision: a.fp32 ? 'fp32' : 'int8',
        threads: a.threads,
      },
      'mts health',
    );
    let lastStage = '';
    const report = await checkFiles(input, {
      signal: env.signal,
      onEvent: (e) => {
        if (a.json || e.stage === lastStage) return;
        lastStage = e.stage;
        env.io.err(`${e.stage}...`);
      },
    });
    if (a.json) env.io.out(JSON.stringify(report, null, 2));
    else for (const line of formatReport(report, a.top)) env.io.out(line);
    return 0;
  },
};

/** The report as readable lines, at most `top` findings per check. */
export function formatReport(r: HealthReport, top: number): string[] {
  const out: string[] = [];
  const more = (n: number): string[] => (n > top ? [`  ... and ${n - top} more (--json lists all)`] : []);
  out.push(
    `${r.data.path}: ${r.data.rows} rows${r.data.unreadableRows ? `, ${r.data.unreadableRows} unreadable` : ''}`,
  );
  if (r.dev) out.push(`${r.dev.path}: ${r.dev.rows} rows (dev)`);
  out.push('', 'Class balance:');
  for (const c of r.classBalance.classes)
    out.push(`  ${c.label.padEnd(16)} ${String(c.count).padStart(7)}  ${(100 * c.share).toFixed(1)}%`);
  if (r.classBalance.classes.length > 1)
    out.push(`  largest / smallest class: ${r.classBalance.imbalanceRatio.toFixed(2)}`);
  if (r.classBalance.unlabelled > 0) out.push(`  ${r.classBalance.unlabelled} rows without a class label`);

  out.push('', `Exact duplicates (same text after normalising): ${r.exactDuplicates.length} groups`);
  for (const g of r.exactDuplicates.slice(0, top))
    out.push(`  rows ${g.lines.join(', ')}  labels ${g.labels.map((l) => l ?? '-').join(', ')}`);
  out.push(...more(r.exactDuplicates.length));
  if (r.encoder) {
    out.push('', `Near duplicates (cosine >= ${r.nearDuplicateThreshold}): ${r.nearDuplicates.length} pairs`);
    for (const p of r.nearDuplicates.slice(0, top))
      out.push(`  rows ${p.a} and ${p.b}  similarity ${p.similarity.toFixed(3)}`);
    out.push(...more(r.nearDuplicates.length));
  }
  out.push('', `Duplicates whose labels disagree: ${r.labelConflicts.length}`);
  for (const c of r.labelConflicts.slice(0, top))
    out.push(`  rows ${c.lines.join(', ')}  labels ${c.labels.join(' / ')} (${c.kind})`);
  out.push(...more(r.labelConflicts.length));
  if (r.dev) {
    out.push('', `Dev rows also in train: ${r.leakage.length}`);
    for (const l of r.leakage.slice(0, top))
      out.push(
        `  dev row ${l.devLine} ~ train row ${l.trainLine}  ${l.exact ? 'exact' : `similarity ${l.similarity.toFixed(3)}`}`,
      );
    out.push(...more(r.leakage.length));
    const d = r.devAccuracy;
    if (d) {
      const without = d.accuracyWithoutLeaked === null ? 'n/a (every dev row leaked)' : pct(d.accuracyWithoutLeaked);
      out.push(
        `  dev accuracy (${d.source === 'run' ? "the run's classifier" : "the health check's linear head"}): ${pct(d.accuracy)} on ${d.examples}; without the ${d.leaked} leaked rows: ${without}`,
      );
    }
  }
  if (r.labelCheck) {
    const c = r.labelCheck;
    out.push(
      '',
      `Likely label errors (confident learning, ${c.folds}-fold, out-of-sample accuracy ${pct(c.crossValidatedAccuracy)}): ${r.labelErrors.length}`,
    );
    for (const e of r.labelErrors.slice(0, top))
      out.push(`  row ${e.line}  ${e.given} -> ${e.suggested}  score ${e.score.toFixed(3)}`);
    out.push(...more(r.labelErrors.length));
  }
  const ner = r.nerDisagreements;
  if (ner.length > 0) {
    out.push('', `Entity spans the run confidently disagrees with: ${ner.length}`);
    for (const d of ner.slice(0, top))
      out.push(
        `  row ${d.line} [${d.start}, ${d.end}) ${JSON.stringify(d.text)}: run ${d.predicted} ${(100 * d.confidence).toFixed(0)}%, annotated ${d.annotated ?? 'nothing'} (${d.kind})`,
      );
    out.push(...more(ner.length));
  }
  out.push(
    '',
    `Length outliers (words outside ${r.lengthStats.lowFence}..${r.lengthStats.highFence}, median ${r.lengthStats.median}): ${r.lengthOutliers.length}`,
  );
  for (const o of r.lengthOutliers.slice(0, top)) out.push(`  row ${o.line}  ${o.words} words (${o.kind})`);
  out.push(...more(r.lengthOutliers.length));
  if (r.skipped.length > 0) out.push('', 'Not checked:', ...r.skipped.map((s) => `  ${s}`));
  const t = r.timings;
  out.push(
    '',
    `Time: ${t.totalSeconds.toFixed(1)} s (read ${t.readSeconds.toFixed(1)}, embed ${t.embedSeconds.toFixed(1)}, duplicates ${t.duplicatesSeconds.toFixed(1)}, label check ${t.labelCheckSeconds.toFixed(1)})`,
  );
  return out;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
