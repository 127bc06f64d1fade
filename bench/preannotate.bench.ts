// What the contract layer adds to a pre-annotation (chunked predict for progress/cancel, scope query, class
// predictions stored), as a ratio to services/preannotate alone on the same examples, in the same run.
// all-MiniLM-L6-v2 heads-only on the spaCy-silver AG News dev sample (both from ../shared; never copied).
//   npm run bench:preannotate -- [rows=512]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importDataset, ImportDatasetInput } from '../src-main/services/datasets';
import { PredictorCache } from '../src-main/services/playground';
import { preannotate, PreannotateInput } from '../src-main/services/preannotate';
import { preannotateMethods } from '../src-main/services/preannotate/methods';
import { createProject } from '../src-main/services/projects';
import { runTraining, TrainingRequest } from '../src-main/services/train';
import { tempDb } from '../src-main/store/testing';

const MODEL = resolve(import.meta.dirname, '../../shared/models/all-MiniLM-L6-v2');
const SILVER = resolve(import.meta.dirname, '../../shared/data/ag_news/silver-spacy-dev.jsonl');
if (!existsSync(join(MODEL, 'model.safetensors')) || !existsSync(SILVER)) {
  console.error(`Needs ${MODEL} and ${SILVER} (the shared folder); nothing measured.`);
  process.exit(1);
}
const rows = Number(process.argv[2] ?? 512);

const t = tempDb();
const cache = new PredictorCache(1);
try {
  const lines = readFileSync(SILVER, 'utf8').split('\n').filter(Boolean).slice(0, rows);
  const file = join(t.dir, 'sample.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const projectId = createProject(t.db, { name: 'bench', description: '' }).id;
  const { datasetId } = await importDataset(
    t.db,
    ImportDatasetInput.parse({
      projectId,
      path: file,
      importedSpanSource: 'silver',
      split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 3 },
    }),
  );
  const trained = await runTraining(
    t.db,
    TrainingRequest.parse({
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
    }),
  );
  const runId = trained.run.id;
  const ids = t.db
    .prepare<[number], { id: number }>('SELECT id FROM examples WHERE dataset_id = ? ORDER BY line')
    .all(datasetId)
    .map((r) => r.id);
  const methods = preannotateMethods({ get: () => t.db, close: () => undefined }, { cache });
  const def = methods['annotate.preannotate'];
  const viaContract = async (): Promise<void> => {
    const input = def.input.parse({ runId, datasetId, scope: { kind: 'all-pending' } });
    await def.handler(input, { emit: () => undefined });
  };
  const viaService = async (): Promise<void> => {
    await preannotate(t.db, PreannotateInput.parse({ runId, exampleIds: ids }), { cache });
  };
  await viaService(); // loads the model into the cache
  const times = { service: [] as number[], contract: [] as number[] };
  for (let i = 0; i < 3; i++) {
    for (const [name, fn] of [
      ['service', viaService],
      ['contract', viaContract],
    ] as const) {
      const t0 = performance.now();
      await fn();
      times[name].push((performance.now() - t0) / 1000);
    }
  }
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const s = median(times.service);
  const c = median(times.contract);
  console.log(`${ids.length} examples, MiniLM heads-only run, median of 3 (alternating):`);
  console.log(`  services/preannotate alone        ${s.toFixed(2)} s  (${(ids.length / s).toFixed(0)} examples/s)`);
  console.log(`  annotate.preannotate (contract)   ${c.toFixed(2)} s  ratio ${(c / s).toFixed(2)}`);
} finally {
  await cache.clear();
  t.cleanup();
}
