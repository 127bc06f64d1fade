// Store benchmark: imports ../shared/data/ag_news/train.csv end to end into a temporary database and prints
// JSON. Timings on a shared machine are noisy, so it also times the importer alone (parse only, no database)
// in the same run and reports the ratio; likewise silver labelling vs the labeler alone.
// Run: npx tsx bench/store.bench.ts
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../src-main/store';
import { createProject } from '../src-main/services/projects';
import { importDataset } from '../src-main/services/datasets/import';
import { ImportDatasetInput } from '../src-main/services/datasets/schemas';
import { datasetStats, listExamples } from '../src-main/services/datasets/examples';
import { applyModelPredictions } from '../src-main/services/annotate/model';
import { labelDataset } from '../src-main/services/annotate/label';
import { LabelDatasetInput } from '../src-main/services/annotate/schemas';
import { silverLabeler } from '../src-main/data/silver';
import { importFile } from '../src-main/data/import';

const here = dirname(fileURLToPath(import.meta.url));
const csv = resolve(here, '../../shared/data/ag_news/train.csv');
const devCsv = resolve(here, '../../shared/data/ag_news/dev.csv');

async function main(): Promise<void> {
  if (!existsSync(csv) || !existsSync(devCsv)) {
    console.log(
      JSON.stringify({ skipped: `reference data not found at ${csv}; put the shared folder beside the repository` }),
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mts-bench-store-'));
  try {
    const db = openDb(join(dir, 'bench.db'));
    // The services take validated input (the dispatcher's job): parse it with their schemas first.
    const projectId = createProject(db, { name: 'bench', description: '' }).id;
    const t0 = performance.now();
    const summary = await importDataset(db, ImportDatasetInput.parse({ projectId, path: csv }));
    const seconds = (performance.now() - t0) / 1000;
    const peakRssMB = process.resourceUsage().maxRSS / 1024; // measured before the reference pass below

    // Typical review-screen queries on the imported data.
    const q0 = performance.now();
    const queries = 20;
    for (let i = 0; i < queries; i++) {
      listExamples(db, {
        datasetId: summary.datasetId,
        classLabel: 'Sports',
        split: 'train',
        order: 'line',
        offset: i * 50,
        limit: 50,
      });
    }
    const pageMs = (performance.now() - q0) / queries;

    // Model-in-the-loop queries at full size: synthetic predictions that flip every 7th class label.
    const all = db
      .prepare<[number], { id: number; class_label: string }>(
        'SELECT id, class_label FROM examples WHERE dataset_id = ?',
      )
      .all(summary.datasetId);
    const p0 = performance.now();
    applyModelPredictions(db, {
      labeler: 'bench',
      predictions: all.map((e, i) => ({
        exampleId: e.id,
        label: i % 7 === 0 ? 'World' : e.class_label,
        confidence: (i % 100) / 100,
        spans: [],
      })),
    });
    const predictSeconds = (performance.now() - p0) / 1000;
    const d0 = performance.now();
    const disagree = listExamples(db, {
      datasetId: summary.datasetId,
      modelDisagrees: true,
      order: 'modelConfidence',
      offset: 0,
      limit: 50,
    });
    const disagreeMs = performance.now() - d0;
    const s0 = performance.now();
    datasetStats(db, { datasetId: summary.datasetId });
    const statsMs = performance.now() - s0;

    // Silver labelling through the service vs the labeler alone on the same texts (dev.csv, 2,000 rows).
    const dev = await importDataset(
      db,
      ImportDatasetInput.parse({ projectId, path: devCsv, split: { mode: 'fixed', split: 'dev' } }),
    );
    const texts = db
      .prepare<[number], { text: string }>('SELECT text FROM examples WHERE dataset_id = ?')
      .all(dev.datasetId);
    const labeler = silverLabeler();
    const alone = (): number => {
      const r = performance.now();
      for (const { text } of texts) labeler.label(text);
      return (performance.now() - r) / 1000;
    };
    // Labeler alone before and after the service run (JIT warm-up and machine noise hit both sides).
    const aloneBefore = alone();
    const l0 = performance.now();
    const labelled = await labelDataset(db, LabelDatasetInput.parse({ datasetId: dev.datasetId }), { labeler });
    const labelSeconds = (performance.now() - l0) / 1000;
    const labelerAloneSeconds = (aloneBefore + alone()) / 2;
    db.close();

    const r0 = performance.now();
    let parsed = 0;
    for await (const ev of importFile(csv)) if (ev.kind === 'example') parsed++;
    const parseSeconds = (performance.now() - r0) / 1000;

    console.log(
      JSON.stringify({
        rows: summary.examples,
        rowsRead: summary.rowsRead,
        skipped: summary.skipped,
        duplicates: summary.duplicates,
        seconds: Number(seconds.toFixed(3)),
        rowsPerSec: Math.round(summary.examples / seconds),
        peakRssMB: Math.round(peakRssMB),
        reference: { what: 'importer alone, no database', rows: parsed, seconds: Number(parseSeconds.toFixed(3)) },
        importVsParseRatio: Number((seconds / parseSeconds).toFixed(2)),
        filteredPageMs: Number(pageMs.toFixed(2)),
        modelPredictionsSeconds: Number(predictSeconds.toFixed(3)),
        modelDisagrees: disagree.total,
        modelDisagreesPageMs: Number(disagreeMs.toFixed(1)),
        statsMs: Number(statsMs.toFixed(1)),
        labelDataset: {
          examples: labelled.examples,
          spans: labelled.spans,
          seconds: Number(labelSeconds.toFixed(3)),
          examplesPerSec: Math.round(labelled.examples / labelSeconds),
          labelerAloneSeconds: Number(labelerAloneSeconds.toFixed(3)),
          serviceVsLabelerRatio: Number((labelSeconds / labelerAloneSeconds).toFixed(2)),
        },
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
