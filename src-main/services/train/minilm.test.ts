// The whole service path on the reference model and real news text (skipped when ../shared is absent).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDb } from '../../store/testing';
import { importDataset, ImportDatasetInput } from '../datasets';
import { PredictorCache } from '../playground/cache';
import { predictText } from '../playground/predict';
import { createProject } from '../projects';
import { runMistakes } from './mistakes';
import { trainingPlan } from './plan';
import { TrainingRequest } from './schemas';
import { runTraining } from './start';

const MODEL = resolve(__dirname, '../../../../shared/models/all-MiniLM-L6-v2');
const SILVER = resolve(__dirname, '../../../../shared/data/ag_news/silver-spacy-dev.jsonl');
const available = existsSync(join(MODEL, 'model.safetensors')) && existsSync(SILVER);
if (!available)
  console.warn(`skipping the MiniLM service test: ${MODEL} or ${SILVER} is missing (see ../shared/data/README.md)`);

const t = tempDb();
const cache = new PredictorCache(1);
afterAll(async () => {
  await cache.clear();
  t.cleanup();
});

describe('training service on all-MiniLM-L6-v2', () => {
  it.skipIf(!available)(
    'plans, trains heads-only from silver spans in the store, predicts and lists mistakes',
    async () => {
      // 80 rows of the spaCy-silver AG News dev sample, written to a temp file (never into the repo).
      const rows = readFileSync(SILVER, 'utf8').split('\n').filter(Boolean).slice(0, 80);
      const path = join(t.dir, 'sample.jsonl');
      writeFileSync(path, `${rows.join('\n')}\n`);
      const projectId = createProject(t.db, { name: 'minilm', description: '' }).id;
      const { datasetId } = await importDataset(
        t.db,
        ImportDatasetInput.parse({
          projectId,
          path,
          importedSpanSource: 'silver',
          split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 3 },
        }),
      );
      const request = TrainingRequest.parse({
        projectId,
        datasetId,
        modelDir: MODEL,
        preset: 'heads-only',
        epochs: 1,
        maxSteps: 4,
        batchSize: 8,
        maxLength: 64,
        lr: 1e-3,
        device: 'cpu',
        threads: 2,
      });
      const plan = trainingPlan(t.db, request);
      expect(plan.refusals).toEqual([]);
      expect(plan.classLabels).toEqual(['Business', 'Sci/Tech', 'Sports', 'World']);
      expect(plan.entityTypes).toEqual(expect.arrayContaining(['LOC', 'ORG', 'PER']));
      // heads-only trains exactly the two heads: 4 x 384 + 4 and (1 + 2 * types) x 384 + (1 + 2 * types).
      const tags = 1 + 2 * plan.entityTypes.length;
      expect(plan.params!.trainable).toBe(4 * 385 + tags * 385);

      const { run, result } = await runTraining(t.db, request, { runsDir: join(t.dir, 'runs') });
      expect(run.status).toBe('completed');
      expect(result!.steps).toBe(4);
      expect(result!.best.metrics?.classification?.labels).toEqual(plan.classLabels);

      const p = await predictText(
        t.db,
        { runId: run.id, text: 'Google shares rose in New York on Monday.', precision: 'fp32' },
        { cache },
      );
      expect(p.classProbs).toHaveLength(4);
      expect(p.tokens.map((x) => x.token)).toEqual([
        '[CLS]',
        'google',
        'shares',
        'rose',
        'in',
        'new',
        'york',
        'on',
        'monday',
        '.',
        '[SEP]',
      ]);
      const m = await runMistakes(t.db, { runId: run.id, limit: 200 }, { cache });
      const acc = result!.best.metrics!.classification!.accuracy;
      expect(m.classificationErrors).toBe(Math.round((1 - acc) * m.devExamples));
    },
  );
});
