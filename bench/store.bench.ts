// Store benchmark: imports ../shared/data/ag_news/train.csv end to end into a temporary database and prints
// JSON. Timings on a shared machine are noisy, so it also times the importer alone (parse only, no database)
// in the same run and reports the ratio. Run: npx tsx bench/store.bench.ts
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../src-main/store/db';
import { createProject } from '../src-main/services/projects';
import { importDataset } from '../src-main/services/datasets/import';
import { listExamples } from '../src-main/services/datasets/examples';
import { unwrap } from '../src-main/services/errors';
import { importFile } from '../src-main/data/import';

const here = dirname(fileURLToPath(import.meta.url));
const csv = resolve(here, '../../shared/data/ag_news/train.csv');

async function main(): Promise<void> {
  if (!existsSync(csv)) {
    console.log(
      JSON.stringify({ skipped: `reference data not found at ${csv}; put the shared folder beside the repository` }),
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mts-bench-store-'));
  try {
    const db = openDb(join(dir, 'bench.db'));
    const projectId = unwrap(createProject(db, { name: 'bench' })).id;
    const t0 = performance.now();
    const summary = unwrap(await importDataset(db, { projectId, path: csv }));
    const seconds = (performance.now() - t0) / 1000;
    const peakRssMB = process.resourceUsage().maxRSS / 1024; // measured before the reference pass below

    // Typical review-screen queries on the imported data.
    const q0 = performance.now();
    const queries = 20;
    for (let i = 0; i < queries; i++) {
      unwrap(
        listExamples(db, {
          datasetId: summary.datasetId,
          classLabel: 'Sports',
          split: 'train',
          offset: i * 50,
          limit: 50,
        }),
      );
    }
    const pageMs = (performance.now() - q0) / queries;
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
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
