/**
 * `npm run bench:quantize -- --run DIR --data FILE`: what int8 inference costs and gains on a trained run.
 * Loads the run's best checkpoint twice through the app's predictor, fp32 and int8 (model/quantize.ts),
 * predicts every text of a labelled file (AG News CSV: class labels; CoNLL: gold entity spans) and prints one
 * JSON object: accuracy and entity P/R/F1 (exact character span + type) for both, how often they agree, and
 * sentences/s of each in alternating rounds in this process (ratio int8 / fp32).
 * Options: --limit N (seeded sample, as the pipeline takes it), --rounds 2, --threads 2, --batch 32
 */
import { parseArgs } from 'node:util';
import { loadPredictor, type LoadedPredictor, type Precision, type TextPrediction } from '../src-main/engine/infer';
import { checkpointDir, readLabelledFile } from '../src-main/services/pipeline';
import type { LabelledText } from '../src-main/data/prepare';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string' },
    data: { type: 'string' },
    limit: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '32' },
  },
});
if (!args.run || !args.data) {
  console.error('Usage: npm run bench:quantize -- --run DIR --data FILE [--limit N] [--rounds 2] [--threads 2]');
  process.exit(2);
}

type Ok = Extract<TextPrediction, { ok: true }>;
const spanKey = (s: { start: number; end: number; type: string }): string => `${s.start}:${s.end}:${s.type}`;

/** Accuracy over labelled texts and exact-span entity P/R/F1 over texts with gold spans. */
function score(items: readonly LabelledText[], preds: readonly TextPrediction[]): Record<string, number | null> {
  let labelled = 0;
  let correct = 0;
  let tp = 0;
  let predicted = 0;
  let gold = 0;
  items.forEach((item, i) => {
    const p = preds[i]!;
    if (!p.ok) return;
    if (item.label !== undefined && p.label !== null) {
      labelled++;
      if (p.label === item.label) correct++;
    }
    if (item.spans) {
      const want = new Set(item.spans.map(spanKey));
      gold += want.size;
      predicted += p.entities.length;
      tp += p.entities.filter((e) => want.has(spanKey(e))).length;
    }
  });
  const precision = predicted ? tp / predicted : 0;
  const recall = gold ? tp / gold : 0;
  return {
    accuracy: labelled ? correct / labelled : null,
    entityPrecision: gold ? precision : null,
    entityRecall: gold ? recall : null,
    entityF1: gold ? (precision + recall ? (2 * precision * recall) / (precision + recall) : 0) : null,
  };
}

/** Share of texts where both precisions give the same class, and the same entity set. */
function agreement(a: readonly TextPrediction[], b: readonly TextPrediction[]): Record<string, number> {
  let same = 0;
  let sameEntities = 0;
  let n = 0;
  a.forEach((p, i) => {
    const q = b[i]!;
    if (!p.ok || !q.ok) return;
    n++;
    if (p.label === q.label) same++;
    const keys = (x: Ok): string => x.entities.map(spanKey).join('|');
    if (keys(p) === keys(q)) sameEntities++;
  });
  return { sameClass: same / n, sameEntities: sameEntities / n };
}

async function main(): Promise<void> {
  const dir = checkpointDir(args.run!);
  const { items } = await readLabelledFile(args.data!, { limit: Number(args.limit) });
  const texts = items.map((e) => e.text);
  const options = { batchSize: Number(args.batch), session: { device: 'cpu' as const, threads: Number(args.threads) } };
  const loaded: Record<Precision, LoadedPredictor> = {
    fp32: await loadPredictor(dir, options),
    int8: await loadPredictor(dir, { ...options, precision: 'int8' }),
  };
  const preds = {
    fp32: await loaded.fp32.predictor.predict(texts),
    int8: await loaded.int8.predictor.predict(texts),
  };
  const seconds: Record<Precision, number[]> = { fp32: [], int8: [] };
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const p of r % 2 ? (['int8', 'fp32'] as const) : (['fp32', 'int8'] as const)) {
      const t0 = performance.now();
      await loaded[p].predictor.predict(texts);
      seconds[p].push((performance.now() - t0) / 1000);
    }
  }
  for (const l of Object.values(loaded)) await l.release();
  const rate = (p: Precision): number => texts.length / Math.min(...seconds[p]);
  const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10000) / 10000);
  const rounded = (o: Record<string, number | null>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
  console.log(
    JSON.stringify(
      {
        bench: 'quantize',
        run: args.run,
        data: args.data,
        texts: texts.length,
        fp32: { ...rounded(score(items, preds.fp32)), sentencesPerSec: round(rate('fp32')) },
        int8: { ...rounded(score(items, preds.int8)), sentencesPerSec: round(rate('int8')) },
        agreement: rounded(agreement(preds.fp32, preds.int8)),
        speedupInt8OverFp32: round(rate('int8') / rate('fp32')),
      },
      null,
      2,
    ),
  );
}

await main();
