// Datasets under the user's control, in browser mode: exporting annotations and importing them back.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
