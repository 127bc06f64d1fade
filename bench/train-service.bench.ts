// Costs the services add on top of the engine, each as a ratio to the engine alone measured in the same run:
//   npm run bench:train-service -- [rows=1000] [steps=20]
// Uses ../shared/models/all-MiniLM-L6-v2 and ../shared/data/ag_news/silver-spacy-dev.jsonl (spaCy silver spans).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareExamples } from '../src-main/data/prepare';
import { loadPredictor } from '../src-main/engine/infer';
import { WordPieceTokenizer } from '../src-main/engine/tokenizer';
import { trainInWorker, type TrainEvent } from '../src-main/engine/trainer';
import { importDataset, ImportDatasetInput } from '../src-main/services/datasets';
import { nearestExamples, PredictorCache, predictText } from '../src-main/services/playground';
import { createProject } from '../src-main/services/projects';
import { readTrainingData, runTraining, trainerConfig, TrainingRequest } from '../src-main/services/train';
import { buildPlan } from '../src-main/services/train/plan';
import { MetricRecorder, stepMetrics } from '../src-main/services/train/recorder';
import { runs } from '../src-main/store';
import { tempDb } from '../src-main/store/testing';

const MODEL = resolve(import.meta.dirname, '../../shared/models/all-MiniLM-L6-v2');
const SILVER = resolve(import.meta.dirname, '../../shared/data/ag_news/silver-spacy-dev.jsonl');
const rows = Number(process.argv[2] ?? 1000);
const steps = Number(process.argv[3] ?? 20);

const seconds = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await fn();
  return [v, (performance.now() - t0) / 1000];
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const report = (name: string, o: Record<string, unknown>): void =>
  console.log(JSON.stringify({ bench: name, ...o, loadavg1: +loadavg()[0]!.toFixed(2) }));

async function main(): Promise<void> {
  if (!existsSync(MODEL) || !existsSync(SILVER))
    throw new Error(`needs ${MODEL} and ${SILVER}; see ../shared/data/README.md`);
  const t = tempDb();
  try {
    const path = join(t.dir, 'sample.jsonl');
    writeFileSync(path, `${readFileSync(SILVER, 'utf8').split('\n').filter(Boolean).slice(0, rows).join('\n')}\n`);
    const projectId = createProject(t.db, { name: 'bench', description: '' }).id;
    const split = { mode: 'stratified', train: 9, dev: 1, test: 0, seed: 1 };
    const importInput = ImportDatasetInput.parse({ projectId, path, importedSpanSource: 'silver', split });
    const { datasetId } = await importDataset(t.db, importInput);
    const request = TrainingRequest.parse({
      projectId,
      datasetId,
      modelDir: MODEL,
      preset: 'heads-only',
      epochs: 1,
      maxSteps: steps,
      batchSize: 32,
      device: 'cpu',
    });

    // 1. Reading the dataset from the store and preparing it, against tokenizing the same texts alone.
    const tokenizer = WordPieceTokenizer.fromDir(MODEL);
    const [planned, planSec] = await seconds(() => buildPlan(t.db, request));
    const opts = { classLabels: planned.plan.classLabels, nerTags: planned.nerTags, maxLength: 128, hasNer: true };
    // Best of 3 each, tokenizer first, so neither side pays the JIT warm-up alone.
    const best = async (fn: () => unknown): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) times.push((await seconds(fn))[1]);
      return Math.min(...times);
    };
    const tokSec = await best(() =>
      planned.data.classification.train.forEach((e) => tokenizer.encode(e.text, { maxLength: 128 })),
    );
    const prepSec = await best(() => prepareExamples(readTrainingData(t.db, datasetId).train, tokenizer, opts));
    report('prepare', {
      examples: planned.data.classification.train.length,
      planSec,
      readAndPrepareSec: prepSec,
      tokenizeOnlySec: tokSec,
      ratio: +(prepSec / tokSec).toFixed(2),
    });

    // 2. A heads-only run through the service (store, events, metrics, artifact) vs trainInWorker on the same data.
    const train = prepareExamples(planned.data.classification.train, tokenizer, opts).examples;
    const dev = prepareExamples(planned.data.classification.dev, tokenizer, opts).examples;
    const job = {
      modelDir: MODEL,
      train,
      dev,
      classLabels: planned.plan.classLabels,
      nerTags: planned.nerTags,
      config: trainerConfig(planned.plan.request),
      outDir: join(t.dir, 'direct'),
      resume: false,
    };
    const [, directSec] = await seconds(() => trainInWorker(job));
    const [outcome, serviceSec] = await seconds(() => runTraining(t.db, request, { runsDir: join(t.dir, 'runs') }));
    report('train', {
      steps,
      direct: directSec,
      service: serviceSec,
      ratio: +(serviceSec / directSec).toFixed(3),
      samplesPerSec: +((steps * 32) / outcome.run.timings['trainSec']!).toFixed(1),
    });

    // 3. Writing step metrics (batched) against only building the rows.
    const run = runs.createRun(t.db, {
      projectId,
      name: 'm',
      config: {},
      preset: 'full',
      modelPath: MODEL,
      dataHash: 'c'.repeat(64),
      deviceRequested: 'cpu',
    });
    const events: Extract<TrainEvent, { type: 'step' }>[] = Array.from({ length: 5000 }, (_, i) => ({
      type: 'step',
      step: i + 1,
      totalSteps: 5000,
      epoch: 0,
      losses: { total: 1, classification: 0.5, ner: 0.5 },
      lr: 1e-5,
      gradNorm: 1,
      samplesPerSec: 10,
      etaSec: 1,
    }));
    const recorder = new MetricRecorder(t.db, run.id);
    const [, recordSec] = await seconds(() => {
      events.forEach((e) => recorder.onEvent(e));
      recorder.flush();
    });
    const [, buildSec] = await seconds(() => events.forEach((e) => stepMetrics(e)));
    report('metrics', {
      stepEvents: events.length,
      perStepMs: +((recordSec / events.length) * 1000).toFixed(4),
      ratioToBuildingRows: +(recordSec / buildSec).toFixed(1),
    });

    // 4. Playground latency (cached predictor) against the bare predictor on the same text.
    const cache = new PredictorCache(1);
    const text = 'Google shares rose 5 percent in New York on Monday after the company reported strong sales.';
    const ask = { runId: outcome.run.id, text, precision: 'fp32' } as const;
    const [, firstSec] = await seconds(() => predictText(t.db, ask, { cache }));
    const svc: number[] = [];
    for (let i = 0; i < 20; i++) svc.push((await seconds(() => predictText(t.db, ask, { cache })))[1]);
    const bare = await loadPredictor(outcome.result!.bestCheckpoint!, { embeddings: true });
    const raw: number[] = [];
    for (let i = 0; i < 20; i++) raw.push((await seconds(() => bare.predictor.predict([text])))[1]);
    await bare.release();
    report('predictText', {
      firstCallSec: firstSec,
      cachedMs: +(median(svc) * 1000).toFixed(2),
      predictorMs: +(median(raw) * 1000).toFixed(2),
      ratio: +(median(svc) / median(raw)).toFixed(2),
    });

    // 5. Nearest dev examples: embedding the dev set once, then per query.
    const near = { runId: outcome.run.id, text, k: 5 };
    const [, embedSec] = await seconds(() => nearestExamples(t.db, near, { cache }));
    const q: number[] = [];
    for (let i = 0; i < 10; i++) q.push((await seconds(() => nearestExamples(t.db, near, { cache })))[1]);
    report('nearestExamples', {
      devExamples: planned.data.classification.dev.length,
      firstCallSec: embedSec,
      queryMs: +(median(q) * 1000).toFixed(2),
      ratioToPredict: +(median(q) / median(raw)).toFixed(2),
    });
    await cache.clear();
  } finally {
    t.cleanup();
  }
}

await main();
