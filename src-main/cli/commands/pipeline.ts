/** `mts pipeline`: the seed's whole job (read, label what lacks NER tags, train the heads, evaluate, save). */
import { z } from 'zod';
import { SELECT_METRICS } from '../../engine/trainer';
import { resolveModelArg } from '../../services/models';
import {
  droppedText,
  formatSelfTraining,
  formatTeacherComparison,
  type PipelineEvent,
  runPipeline,
  runSelfTraining,
  type PipelineOptions,
} from '../../services/pipeline';
import { formatMetrics } from '../report/metrics-report';
import { TrainProgress } from '../report/progress';
import { type CliArgs, type CliCommand, type CliEnv, type CliOptions, UsageError } from '../types';
import { pullProgressPrinter } from './models';

const int = z.coerce.number().int();
const argsSchema = z.object({
  train: z.string().optional(),
  dev: z.string().optional(),
  model: z.string({ error: '--model DIR is required (a Hugging Face BERT folder or a hub repo id org/name)' }),
  revision: z.string().optional(),
  out: z.string().default('runs/latest'),
  preset: z.enum(['full', 'heads-only', 'freeze-classifier', 'freeze-ner', 'frozen']).default('full'),
  epochs: int.positive().optional(),
  'max-steps': int.nonnegative().default(0),
  'batch-size': int.positive().default(32),
  'grad-accum': int.positive().default(1),
  // Unset means the trainer's default (lazy) for a new run and, with --resume, what the run trained with.
  'embedding-updates': z.enum(['lazy', 'dense']).optional(),
  'max-length': int.min(8).max(512).default(128),
  lr: z.coerce.number().positive().optional(),
  pooling: z.enum(['mean', 'cls', 'max']).default('mean'),
  device: z.enum(['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml']).default('auto'),
  'feature-cache': z.enum(['auto', 'on', 'off']).default('auto'),
  threads: int.positive().optional(),
  limit: int.nonnegative().default(0),
  'dev-limit': int.nonnegative().default(0),
  seed: int.nonnegative().default(42),
  patience: int.nonnegative().default(0),
  'eval-every': int.nonnegative().default(0),
  'select-metric': z.enum(SELECT_METRICS).default('auto'),
  'ner-train': z.string().optional(),
  'ner-dev': z.string().optional(),
  'no-ner': z.boolean().default(false),
  'freeze-embeddings': z.boolean().default(false),
  'freeze-layers': int.nonnegative().default(0),
  resume: z.boolean().default(false),
  'checkpoint-every': z
    .string()
    .default('5m')
    .transform((v, ctx) => {
      const seconds = parseDuration(v);
      if (seconds === null) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 5m, 30s or 0 (off), got '${v}'` });
        return z.NEVER;
      }
      return seconds;
    }),
  'skip-bad-rows': z.boolean().default(false),
  'ner-batching': z.enum(['tokens', 'examples']).default('tokens'),
  'task-weighting': z.enum(['fixed', 'uncertainty']).default('fixed'),
  'task-weight-lr': z.coerce.number().positive().default(0.01),
  'silver-min-confidence': z.coerce.number().min(0).max(1).default(0),
  'silver-weights': z.enum(['ignore', 'confidence']).default('ignore'),
  'self-train': int
    .min(0, { error: 'expected a number of rounds from 0 to 5' })
    .max(5, { error: 'at most 5 rounds (each retrains the whole model; the measured gain comes from the first)' })
    .default(0),
  json: z.boolean().default(false),
});

/** '5m', '30s', '1h', '90' (seconds) or '0' -> seconds; null when it is none of these. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  return Number(m[1]) * unit;
}

const s = (): { type: 'string' } => ({ type: 'string' });
const b = (): { type: 'boolean' } => ({ type: 'boolean' });

/** `mts pipeline`'s flags (shared by `mts curve`). */
export const PIPELINE_OPTIONS: CliOptions = {
  train: s(),
  dev: s(),
  model: s(),
  revision: s(),
  out: s(),
  preset: s(),
  epochs: s(),
  'max-steps': s(),
  'batch-size': s(),
  'grad-accum': s(),
  'embedding-updates': s(),
  'max-length': s(),
  lr: s(),
  pooling: s(),
  device: s(),
  'feature-cache': s(),
  threads: s(),
  limit: s(),
  'dev-limit': s(),
  seed: s(),
  patience: s(),
  'eval-every': s(),
  'select-metric': s(),
  'ner-train': s(),
  'ner-dev': s(),
  'no-ner': b(),
  'freeze-embeddings': b(),
  'freeze-layers': s(),
  resume: b(),
  'checkpoint-every': s(),
  'ner-batching': s(),
  'task-weighting': s(),
  'task-weight-lr': s(),
  'silver-min-confidence': s(),
  'silver-weights': s(),
  'self-train': s(),
  'skip-bad-rows': b(),
  json: b(),
};

/** Prints a pipeline's stages, warnings and training progress to stderr (nothing with --json). */
export function pipelineEventPrinter(env: CliEnv, json: boolean): (e: PipelineEvent) => void {
  const progress = new TrainProgress((t) => process.stderr.write(t), !json && Boolean(process.stderr.isTTY));
  return (e) => {
    if (json) return;
    if (e.type === 'stage') env.io.err(`[${e.stage}] ${e.message}`);
    else if (e.type === 'warning') env.io.err(`warning: ${e.message}`);
    else if (e.event.type === 'message')
      env.io.err(`${e.event.level === 'warning' ? 'warning: ' : ''}${e.event.message}`);
    else progress.on(e.event);
  };
}

/**
 * Reads `mts pipeline`'s arguments (shared by `mts curve`): validates them, resolves --model (a folder, or a
 * hub repo id from the cache or pulled now) and maps them onto the pipeline's options.
 */
export async function readPipelineArgs(
  values: CliArgs['values'],
  env: CliEnv,
): Promise<{ readonly options: PipelineOptions; readonly json: boolean }> {
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw UsageError.fromFlags(parsed.error, values);
  const a = parsed.data;
  // argsSchema validated every value: these are the pipeline's options as they are, nothing left to default.
  // --model takes a folder or a hub repo id (org/name): from the cache, or pulled now.
  const modelDir = await resolveModelArg(a.model, {
    ...(a.revision !== undefined && { revision: a.revision }),
    signal: env.signal,
    onProgress: pullProgressPrinter((line) => env.io.err(`[model] ${line}`)),
  });
  const options: PipelineOptions = {
    ...(a.train !== undefined && { train: a.train }),
    ...(a.dev !== undefined && { dev: a.dev }),
    model: modelDir,
    out: a.out,
    preset: a.preset,
    ...(a.epochs !== undefined && { epochs: a.epochs }),
    maxSteps: a['max-steps'],
    batchSize: a['batch-size'],
    nerBatching: a['ner-batching'],
    gradAccumulation: a['grad-accum'],
    ...(a['embedding-updates'] !== undefined && { embeddingUpdates: a['embedding-updates'] }),
    maxLength: a['max-length'],
    ...(a.lr !== undefined && { lr: a.lr }),
    pooling: a.pooling,
    device: a.device,
    featureCache: a['feature-cache'],
    ...(a.threads !== undefined && { threads: a.threads }),
    limit: a.limit,
    devLimit: a['dev-limit'],
    seed: a.seed,
    patience: a.patience,
    evalEverySteps: a['eval-every'],
    selectMetric: a['select-metric'],
    ...(a['ner-train'] && { nerTrain: a['ner-train'] }),
    ...(a['ner-dev'] && { nerDev: a['ner-dev'] }),
    ner: a['no-ner'] ? 'none' : 'silver',
    freezeEmbeddings: a['freeze-embeddings'],
    freezeBottomLayers: a['freeze-layers'],
    resume: a.resume,
    checkpointEverySec: a['checkpoint-every'],
    skipBadRows: a['skip-bad-rows'],
    taskWeighting: a['task-weighting'],
    taskWeightLr: a['task-weight-lr'],
    silverMinConfidence: a['silver-min-confidence'],
    silverWeights: a['silver-weights'],
    selfTrain: a['self-train'],
  };
  return { options, json: a.json };
}

export const pipelineCommand: CliCommand = {
  name: 'pipeline',
  summary: 'Train the heads the data has labels for (silver NER where it has none), evaluate, save the run',
  help: [
    'Usage: mts pipeline --train FILE --dev FILE --model DIR [--preset NAME] [--epochs N] [--out DIR] [options]',
    '       mts pipeline --ner-train FILE --ner-dev FILE --model DIR [options]     (NER only)',
    '',
    'Trains one BERT encoder with a classification head and/or a BIO NER head; the tasks follow the data:',
    'class labels in --train (label,text) train the classifier; NER tags in --train (CoNLL, span JSONL) or in',
    '--ner-train/--ner-dev train the NER head on those gold tags; texts without NER tags get silver NER labels',
    '(rule-based, said so in the output) unless --no-ner; a --dev with NER tags then keeps its gold tags (over',
    "the types the labeler makes too) and the report puts the labeler's own score on it beside the run's.",
    "The run report names each task's label source.",
    '',
    'Options:',
    '  --train FILE         training CSV/TSV/JSONL (label,text) or CoNLL / span JSONL (NER tags)',
    '  --dev FILE           dev file in the same format (picks the best epoch; metrics are reported on it)',
    "  --model DIR|ID       Hugging Face BERT folder (config.json, model.safetensors, vocab.txt), a run's best/,",
    '                       or a hub repo id (org/name: from the cache, or pulled; see mts models)',
    '  --revision R         branch, tag or commit of a hub repo id (default main; or write org/name@R)',
    '  --preset NAME        full | heads-only | freeze-classifier | freeze-ner (default full)',
    '  --freeze-embeddings  keep the embedding tables fixed;  --freeze-layers K  keep layers 0..K-1 fixed',
    '  --epochs N           (default 2)    --max-steps N   stop after N steps',
    '  --batch-size N       (default 32)   --max-length N  tokens per text (default 128)',
    '  --grad-accum K       average the gradients of K batches per optimizer step (default 1): the effective',
    '                       batch is K x --batch-size while memory stays that of one batch',
    '  --embedding-updates U  lazy (default: AdamW updates only the word-embedding rows of the batch, as',
    "                       LazyAdam; dense with --grad-accum above 1) | dense (every row every step, as PyTorch's",
    '                       AdamW). Measured on AG News at full size: 0.05 points apart, lazy steps up to 1.3x faster',
    "  --lr X               peak learning rate (default: the preset's: full 5e-5, heads-only 2e-3), linear",
    '                       warmup 6% then decay. A run with too few optimizer steps to learn gets a warning',
    '  --pooling P          mean | cls | max (default mean)',
    '  --ner-train FILE --ner-dev FILE   gold CoNLL files for the NER head',
    '  --no-ner             classification only',
    '  --ner-batching B     tokens (default: NER-only batches of about batch-size x mean labelled words, so',
    '                       every word weighs the same in every step) | examples (batch-size sentences)',
    '  --task-weighting W   fixed (default: the task losses add up) | uncertainty (learned weights, Kendall',
    '                       et al. 2018: a log-variance s per task, loss = sum exp(-s) L + s; pipeline.json',
    '                       reports the learned weights);  --task-weight-lr X  their step size (default 0.01)',
    '  --silver-min-confidence X  ignore silver NER labels below confidence X (0..1; default 0 = all count):',
    "                       each span gets its rule's measured precision, a name-like word left O gets 0.096",
    '  --silver-weights M   ignore (default: labels at or above X weigh 1) | confidence (they weigh their',
    '                       confidence)',
    '  --self-train N       self-training rounds after the silver run (0..5, default 0; silver NER only): each',
    "                       round relabels the train texts with the previous round's best model (its spans weigh",
    "                       1: the labeler's confidence weights no longer apply) and trains a fresh model from",
    '                       --model with the same recipe and dev. Rounds go to --out/round-<r>/; --out/best is',
    '                       the final round: the last, unless a later round scored lower on dev (on the',
    "                       --select-metric that keeps each round's checkpoint), then the best. Not with",
    '                       --resume (run it again instead) nor export --format hf-trainer',
    '  --device D           auto | cpu | cuda | webgpu | dml | coreml (default auto: the fastest, measured)',
    '  --feature-cache M    auto | on | off (default auto): with a frozen encoder (heads-only) compute its',
    "                       features once (cached on disk in --out) and train the heads on them; the encoder's",
    '                       own dropout no longer applies (head dropout does). Too little disk: trains uncached',
    '  --threads N          CPU threads for onnxruntime',
    '  --limit N            use the first N training rows (quick runs);  --dev-limit N  the same for dev',
    '  --patience N         stop after N evaluations without improvement',
    '  --eval-every N       also evaluate every N steps',
    '  --select-metric M    the dev metric that keeps the best checkpoint (and --patience watches): auto',
    "                       (default: tasks.mean with both heads, else the head's own) | classification.accuracy |",
    '                       classification.macroF1 | ner.f1 | tasks.mean (mean of accuracy and entity F1)',
    '  --out DIR            run folder (default runs/latest): best/ checkpoint, metrics.json, pipeline.json',
    '  --resume             continue the run in --out after a crash or Ctrl+C',
    '  --checkpoint-every T write the resume state every T mid-epoch (5m default, 30s, 0 = epoch ends only):',
    '                       a crash (kill -9, power loss) loses at most T of training',
    '  --skip-bad-rows      train without rows the importer could not read (they are listed)',
    '  --json               print the result as JSON',
    '',
    'Example:',
    '  mts pipeline --train ag_news/train.csv --dev ag_news/dev.csv --model models/all-MiniLM-L6-v2 --preset full --epochs 2',
  ].join('\n'),
  options: PIPELINE_OPTIONS,
  allowPositionals: false,
  run: async (args, env) => {
    const { options, json } = await readPipelineArgs(args.values, env);
    const hooks = { signal: env.signal, onEvent: pipelineEventPrinter(env, json) };
    const selfTrained = options.selfTrain > 0 ? await runSelfTraining(options, hooks) : undefined;
    const result = selfTrained ?? (await runPipeline(options, hooks));
    const rounds = selfTrained?.selfTraining;
    const cancelled = result.train.status === 'cancelled' || rounds?.status === 'cancelled';
    if (json) {
      env.io.out(JSON.stringify(result, null, 2));
      return cancelled ? 130 : 0;
    }
    if (rounds) env.io.out(`Round ${rounds.final.round} (the final model of self-training):`);
    const { classification, ner } = result.data.labelSources;
    const source = (src: NonNullable<typeof ner>): string => {
      switch (src.kind) {
        case 'gold':
          return `gold, ${src.train} / ${src.dev}`;
        case 'silver':
          return `silver (${src.labeler}) over ${src.train} / ${src.dev}`;
        case 'silver-train-gold-dev': {
          const dropped = droppedText(src.droppedDevSpans);
          return `silver (${src.labeler}) over ${src.train}, scored on the gold tags of ${src.dev}${dropped ? ` (${dropped} dropped: the labeler cannot produce them)` : ''}`;
        }
        case 'self-trained':
          return `round ${src.round - 1}'s model's predictions over ${src.train} (self-training round ${src.round}), scored on the ${src.devLabels} labels of ${src.dev}`;
      }
    };
    env.io.out(
      `Tasks: classification ${classification ? source(classification) : 'not trained'}; NER ${ner ? source(ner) : 'not trained'}.`,
    );
    const silver = result.data.silver;
    if (silver)
      env.io.out(
        `Silver NER (${silver.labeler}): ${silver.spans} spans (${Object.entries(silver.perType)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}), ${Math.round(silver.wordsPerSec).toLocaleString('en-US')} words/s`,
      );
    if (silver?.weighting) {
      const w = silver.weighting;
      env.io.out(
        `Silver confidence: labels below ${w.minConfidence} ignored (${w.spansBelow} train spans, ${w.unsureWords} unsure words), ${w.weights === 'confidence' ? 'the rest weigh their confidence' : 'the rest weigh 1'}; ${w.rangesDownWeighted} ranges down-weighted.`,
      );
    }
    if (result.learnedTaskWeights) {
      const lw = result.learnedTaskWeights;
      env.io.out(
        `Learned task weights (uncertainty weighting, exp(-s)): ${Object.entries(lw)
          .map(([task, v]) => `${task} ${v.toFixed(3)}`)
          .join(', ')}.`,
      );
    }
    if (result.data.truncated > 0)
      env.io.out(`${result.data.truncated} texts were longer than --max-length and were truncated.`);
    const t = result.train;
    env.io.out(
      `Run ${t.status} on ${t.device.used}: ${t.steps} steps in ${Math.round(t.seconds)} s. ${bestLine(t.best)}`,
    );
    if (t.best.metrics) env.io.out(formatMetrics(t.best.metrics));
    if (result.teacher) env.io.out(formatTeacherComparison(result.teacher));
    if (result.advice.length > 0) env.io.out(['Advice:', ...result.advice.map((a) => `  - ${a.message}`)].join('\n'));
    // Repeated after the metrics: a run that was too short to learn explains its numbers.
    for (const w of result.warnings) env.io.out(`Warning: ${w}`);
    if (rounds) {
      env.io.out(formatSelfTraining(rounds));
      env.io.out(
        `Saved: ${result.outDir} (round-<r>/ run folders; best/ and metrics.json are round ${rounds.final.round}'s; pipeline.json reports every round)`,
      );
      if (cancelled)
        env.io.out('Cancelled: self-training cannot resume yet; run the same command again to start over.');
      return cancelled ? 130 : 0;
    }
    env.io.out(`Saved: ${result.outDir} (best/ checkpoint, metrics.json, pipeline.json)`);
    if (t.status === 'cancelled') env.io.out(`Cancelled: continue with the same command plus --resume.`);
    return t.status === 'cancelled' ? 130 : 0;
  },
};

/** The run summary's best-checkpoint sentence; a run stopped before its first evaluation has none. */
function bestLine(best: { readonly metric: string; readonly value: number | null; readonly step: number }): string {
  if (best.value === null) return 'No evaluation ran before it stopped, so no checkpoint was kept as best.';
  const what = best.metric === 'tasks.mean' ? ' (mean of accuracy and entity F1)' : '';
  return `Best ${best.metric}${what} = ${(100 * best.value).toFixed(2)} at step ${best.step}.`;
}
