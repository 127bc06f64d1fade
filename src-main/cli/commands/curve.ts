/** `mts curve`: a learning curve (dev metrics against the share of training data used). */
import { curveVerdict, shareName } from '../../services/curves';
import { DEFAULT_FRACTIONS, learningCurve, type CurvePoint } from '../../services/pipeline';
import { type CliCommand, UsageError } from '../types';
import { PIPELINE_OPTIONS, pipelineEventPrinter, readPipelineArgs } from './pipeline';

/** '25,50,75,100' (percent) or '0.25,0.5' (fractions) -> fractions; throws a UsageError naming a bad entry. */
export function parseFractions(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  const bad = parts.filter((p, i) => p === '' || !Number.isFinite(values[i]!) || values[i]! <= 0 || values[i]! > 100);
  if (bad.length > 0)
    throw new UsageError(`--fractions: expected percentages like 25,50,75,100 (or fractions), got '${bad[0]}'.`);
  const percent = values.some((v) => v > 1);
  return values.map((v) => (percent ? v / 100 : v));
}

const pct = (x: number | null): string => (x === null ? '   -  ' : (100 * x).toFixed(2).padStart(6));

/** One table row per share, with a bar for the headline metric (text charts read in any terminal). */
export function curveRow(p: CurvePoint): string {
  const metric = p.accuracy ?? p.nerF1 ?? 0;
  const bar = '#'.repeat(Math.round(40 * metric));
  return `${shareName(p.fraction).padStart(5)} ${String(p.trainExamples).padStart(7)}  ${pct(p.accuracy)}  ${pct(p.nerF1)}  ${bar}`;
}

/** Silver NER on a gold dev: the labeler's entity F1 there and each share's points above (or below) it. */
export function labelerLine(
  labeler: { readonly id: string; readonly f1: number },
  points: readonly CurvePoint[],
): string {
  const shares = points
    .filter((p) => p.vsLabelerPoints !== undefined && p.vsLabelerPoints !== null)
    .map((p) => `${shareName(p.fraction)} ${p.vsLabelerPoints! >= 0 ? '+' : ''}${p.vsLabelerPoints!.toFixed(2)}`);
  return `The silver labeler ${labeler.id} scores entity F1 ${(100 * labeler.f1).toFixed(2)} on this dev; each share's run against it: ${shares.join(', ') || 'no share scored entities'}.`;
}

export const curveCommand: CliCommand = {
  name: 'curve',
  summary: 'Learning curve: train on 25/50/75/100 % of the data and show dev metrics against data size',
  help: [
    'Usage: mts curve --train FILE --dev FILE --model DIR|ID [--fractions 25,50,75,100] [pipeline options]',
    '',
    'Trains the same recipe (every `mts pipeline` option applies) on growing shares of the training data,',
    'nested samples of one seeded shuffle, and prints the best dev accuracy / entity F1 of each, and whether more',
    'labelling pays (the slope of the last points per doubling of the data, as the Runs screen says it). The',
    'app imports curve.json (Runs > Learning curves). Shares too small to train (fewer texts than one batch, or a',
    'class missing) are refused before anything trains. Each share is a run folder under --out (share-25/ ...),',
    'and --out/curve.json holds the points.',
    '',
    'Options:',
    '  --fractions LIST     percentages or fractions of the training data (default 25,50,75,100)',
    '  (see mts pipeline --help for the rest)',
  ].join('\n'),
  options: { ...PIPELINE_OPTIONS, fractions: { type: 'string' } },
  allowPositionals: false,
  run: async (args, env) => {
    const raw = args.values['fractions'];
    const fractions = typeof raw === 'string' ? parseFractions(raw) : [...DEFAULT_FRACTIONS];
    const { options, json } = await readPipelineArgs(args.values, env);
    const result = await learningCurve(options, fractions, {
      signal: env.signal,
      onEvent: pipelineEventPrinter(env, json),
      onPoint: (p) => {
        if (!json) env.io.err(`[curve] ${shareName(p.fraction)} done: ${curveRow(p).trim()}`);
      },
    });
    // Stopped with Ctrl+C: the finished shares are kept (curve.json), and the exit code says it was cut short.
    const code = result.status === 'cancelled' ? 130 : 0;
    if (json) {
      env.io.out(JSON.stringify(result, null, 2));
      return code;
    }
    if (result.status === 'cancelled')
      env.io.out(
        `Cancelled after ${result.points.length} of ${new Set(fractions).size} shares; the finished ones are below and in curve.json.`,
      );
    env.io.out(['share   texts  accuracy  entity F1', ...result.points.map(curveRow)].join('\n'));
    if (result.labeler) env.io.out(labelerLine(result.labeler, result.points));
    // The same reading as the Runs screen's: the slope of the last points per doubling of the data.
    for (const v of curveVerdict(result.points, result.devExamples)) env.io.out(v.message);
    env.io.out(`Saved: ${result.outDir}/curve.json`);
    return code;
  },
};
