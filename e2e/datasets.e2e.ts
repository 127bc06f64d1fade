// Datasets under the user's control, in browser mode: exporting annotations and importing them back; splits
// at import, re-split and moving examples; renaming and deleting datasets and projects.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src-main/store/db';
import { launchBrowser, type Browser } from './support/browser';
import { CHROMIUM, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

let app: ServedApp;
let browser: Browser;
const problems: string[] = [];
/** Chromium logs every non-2xx fetch; API errors shown to the user are not page bugs. */
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

interface Project {
  readonly id: number;
}
interface Summary {
  readonly datasetId: number;
  readonly examples: number;
}

async function openApp(): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_HTTP_ERROR.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(app.url);
  return page;
}

/** Imports `file` through the API with every example in `split`. */
function importFile(projectId: number, file: string, name: string, split = 'train'): Promise<Summary> {
  return app.call<Summary>('datasets.import', { projectId, path: file, name, split: { mode: 'fixed', split } });
}

/** The dataset as span JSONL, through the API (the canonical view for comparing two datasets). */
async function asJsonl(datasetId: number, tag: string): Promise<string> {
  const folder = path.join(app.dataDir, 'compare');
  mkdirSync(folder, { recursive: true });
  const fileName = `${tag}-${datasetId}.jsonl`;
  await app.call('datasets.export', { datasetId, folder, fileName, format: 'jsonl' });
  return readFileSync(path.join(folder, fileName), 'utf8');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it or set MTS_CHROMIUM.`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('datasets', () => {
  it('exports annotations from the Datasets screen in each format, and each file imports back unchanged', async () => {
    const project = await app.call<Project>('projects.create', { name: 'Exports' });
    const rows = [
      { text: 'He said "hi, there" to Bob', label: 'World', spans: [{ start: 23, end: 26, label: 'PER' }] },
      { text: 'Line one,\nline two with, commas', label: 'Sports' },
      { text: 'Crème brûlée in 東京 🤦🏼‍♂️ today', label: 'World', spans: [{ start: 16, end: 18, label: 'LOC' }] },
      { text: 'Angela Merkel visits Paris', label: 'Business', spans: [{ start: 21, end: 26, label: 'LOC' }] },
    ];
    const src = path.join(app.dataDir, 'tricky.jsonl');
    writeFileSync(src, rows.map((r) => JSON.stringify(r)).join('\n'));
    const original = await importFile(project.id, src, 'tricky');
    const want = await asJsonl(original.datasetId, 'original');
    const outDir = path.join(app.dataDir, 'out');
    mkdirSync(outDir);

    const page = await openApp();
    await page.getByRole('button', { name: 'tricky' }).click();
    const panel = page.getByTestId('export-annotations');
    await panel.waitFor();
    await page.getByTestId('export-folder').fill(outDir);
    for (const format of ['csv', 'jsonl', 'conll'] as const) {
      await page.getByTestId('export-format').selectOption(format);
      await page.getByTestId('export-file-name').fill(`tricky.${format}`);
      await page.getByTestId('export-run').click();
      await expect
        .poll(() => page.getByTestId('export-report').textContent())
        .toMatch(new RegExp(`Wrote 4 examples with 3 spans to[\\s\\S]*tricky\\.${format}`));
      const back = await importFile(project.id, path.join(outDir, `tricky.${format}`), `back-${format}`);
      expect(back.examples).toBe(4);
      const got = await asJsonl(back.datasetId, format);
      // CoNLL is token based: the one text with a newline comes back with a space there; all else is equal.
      expect(got).toBe(format === 'conll' ? want.replace('Line one,\\nline', 'Line one, line') : want);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'datasets-export-annotations.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('chooses splits at import, refuses an empty file, re-splits with a warning, moves examples, renames and deletes', async () => {
    const project = await app.call<Project>('projects.create', { name: 'Splits' });
    const csv = path.join(app.dataDir, 'dev-only.csv');
    const rows = Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'World' : 'Sports'},"Story ${i}, told twice"`);
    writeFileSync(csv, ['label,text', ...rows, 'Rare,"the only one of its class"'].join('\n'));
    const empty = path.join(app.dataDir, 'empty.csv');
    writeFileSync(empty, 'label,text\n');

    const page = await openApp();
    await page.getByTestId('project-select').selectOption({ label: 'Splits' });
    await expect.poll(() => page.getByTestId('no-datasets').isVisible()).toBe(true);

    // An empty file is refused with a sentence, and no dataset appears.
    await page.getByTestId('import-path').fill(empty);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('import-run').click();
    await expect
      .poll(() => page.getByTestId('error-notice').textContent())
      .toMatch(/empty\.csv has no data rows \(an empty file, or a header only\), so nothing was imported/);
    expect(await page.getByTestId('no-datasets').isVisible()).toBe(true);

    // A file meant as dev goes to dev, all of it.
    await page.getByTestId('import-path').fill(csv);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('import-split-mode').selectOption('dev');
    await page.getByTestId('import-run').click();
    await expect
      .poll(() => page.getByTestId('import-summary').textContent(), { timeout: 20_000 })
      .toMatch(/Imported 21/);
    const worldRow = page.getByTestId('class-counts').getByRole('row', { name: /World/ });
    await expect.poll(() => worldRow.innerText()).toMatch(/World\s+0\s+10\s+0\s+0\s+10/);

    // Re-split at random: "Rare" has one example, so it gets no dev example, and the warning gives the counts.
    const actions = page.getByTestId('dataset-actions');
    await page.getByTestId('resplit-mode').selectOption('random');
    await page.getByTestId('resplit-run').click();
    await expect
      .poll(() => actions.getByTestId('split-warning').first().textContent())
      .toBe(
        'Class "Rare" has no dev examples (train 1, test 0); its accuracy cannot be measured and training will refuse to start.',
      );

    // Move the "Rare" example to dev by hand; the warning goes.
    const move = page.getByTestId('move-examples');
    await page.getByTestId('move-class').selectOption('Rare');
    await page.getByTestId('move-show').click();
    await move
      .getByRole('checkbox', { name: /Select line/ })
      .first()
      .check();
    await page.getByTestId('move-to').selectOption('dev');
    await page.getByTestId('move-run').click();
    await expect
      .poll(() => page.getByTestId('move-report').textContent())
      .toMatch(/Moved 1 · now train \d+ · dev\s+\d+/);
    const rareRow = page.getByTestId('class-counts').getByRole('row', { name: /Rare/ });
    await expect.poll(() => rareRow.innerText()).toMatch(/Rare\s+0\s+1\s+0\s+0\s+1/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'datasets-splits.png'), fullPage: true });

    // Rename the dataset.
    await page.getByTestId('dataset-name').fill('news dev');
    await actions.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.getByTestId('datasets').textContent()).toMatch(/news dev/);

    // A run that is training on it: deleting is refused with the run's name. (Written to the database directly,
    // as a training of another process would; this spec has no model to train with.)
    const [dataset] = await app.call<{ id: number }[]>('datasets.list', { projectId: project.id });
    const db = openDb(path.join(app.dataDir, 'studio.db'));
    const runId = Number(
      db
        .prepare(
          `INSERT INTO runs (project_id, name, config_json, preset, model_path, data_hash, device_requested, status, owner_pid, created_at)
           VALUES (?, 'Heads only on news', ?, 'heads-only', '/m', ?, 'cpu', 'running', ?, ?)`,
        )
        .run(
          project.id,
          JSON.stringify({ datasetId: dataset.id }),
          'a'.repeat(64),
          app.process.pid,
          new Date().toISOString(),
        ).lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO run_datasets (run_id, role, dataset_id, dataset_name, split) VALUES (?, 'classification-train', ?, 'news dev', 'train'), (?, 'classification-dev', ?, 'news dev', 'dev')`,
    ).run(runId, dataset.id, runId, dataset.id);
    await page.getByTestId('dataset-delete').click();
    await page.getByTestId('dataset-delete-confirm').click();
    await expect
      .poll(() => actions.getByTestId('error-notice').textContent())
      .toMatch(/Dataset "news dev" is used by run "Heads only on news" \(running\)/);
    db.prepare(`UPDATE runs SET status = 'completed', ended_at = ? WHERE id = ?`).run(new Date().toISOString(), runId);
    db.close();
    await page.getByTestId('dataset-delete').click();
    await page.getByTestId('dataset-delete-confirm').click();
    await expect.poll(() => page.getByTestId('no-datasets').isVisible()).toBe(true);

    // The run is kept and marked as using a deleted dataset.
    const detail = await app.call<{ run: { data: { datasetId: number | null; datasetName: string }[] } }>('runs.get', {
      runId,
    });
    expect(detail.run.data.map((d) => [d.datasetId, d.datasetName])).toEqual([
      [null, 'news dev'],
      [null, 'news dev'],
    ]);
    await page.goto(`${app.origin}/#/runs`);
    await page.getByTestId('project-select').selectOption({ label: 'Splits' });
    await page.getByRole('button', { name: /Heads only on news/ }).click();
    await expect
      .poll(() => page.getByTestId('run-data').textContent())
      .toMatch(/Classification: trained on the train split of "news dev"[\s\S]*deleted dataset/);

    // Rename, then delete the project.
    await page.goto(`${app.origin}/#/datasets`);
    await page.getByTestId('project-select').selectOption({ label: 'Splits' });
    await page.getByTestId('project-actions').locator('summary').click();
    await page.getByTestId('project-rename').fill('Splits (old)');
    await page.getByTestId('project-actions').getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.getByTestId('project-select').textContent()).toMatch(/Splits \(old\)/);
    await page.getByTestId('project-actions').locator('summary').click();
    await page.getByTestId('project-delete').click();
    await page.getByTestId('project-delete-confirm').click();
    await expect
      .poll(async () => (await app.call<{ name: string }[]>('projects.list', {})).map((p) => p.name))
      .toEqual(['Exports']);
    // Its run is kept: the Runs screen lists it under the deleted project, marked, and the name is free again.
    await page.goto(`${app.origin}/#/runs`);
    const deleted = await page
      .getByTestId('project-select')
      .locator('option', { hasText: /^Splits \(old\) \(deleted \d{4}-\d\d-\d\d, #\d+\)$/ })
      .textContent();
    await page.getByTestId('project-select').selectOption({ label: deleted! });
    expect(await page.getByTestId('run-deleted-data').textContent()).toBe('deleted dataset');
    await page.getByRole('button', { name: /Heads only on news/ }).click();
    await expect
      .poll(() => page.getByTestId('run-data').textContent())
      .toMatch(/Classification: trained on the train split of "news dev"[\s\S]*deleted dataset/);
    await app.call('projects.create', { name: 'Splits (old)', description: '' });
    await page.close();
    expect(problems).toEqual([]);
  });
});
