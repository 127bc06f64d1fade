// Model-in-the-loop in browser mode: a tiny random BERT the test writes, trained one epoch heads-only through
// the API on a silver-labelled slice of ../shared/data/ag_news/dev.csv; then "Pre-annotate with run…" from the
// Annotate screen, the "Model disagrees" review list, and one Ctrl+Z that takes the model spans back out.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../src-main/engine/model/testing';
import { launchBrowser, openPage, type Browser } from './support/browser';
import { CHROMIUM, REPO, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

const AG_DEV = path.resolve(REPO, '../shared/data/ag_news/dev.csv');
const haveData = existsSync(AG_DEV);
if (!haveData) console.warn(`[e2e] skipping pre-annotation: ${AG_DEV} is missing (the shared data folder).`);

const SLICE_ROWS = 120;

let app: ServedApp;
let browser: Browser;
let page: Page;
let projectId = 0;
let datasetId = 0;
let runId = 0;
const problems: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

interface Stats {
  readonly total: number;
  readonly modelDisagrees: number;
  readonly bySpanSource: Partial<Record<'silver' | 'gold' | 'model', number>>;
}
const stats = (): Promise<Stats> => app.call<Stats>('datasets.stats', { datasetId });

/** Waits (outside a test, where expect.poll is not allowed) until the run completes; fails if it ends otherwise. */
async function waitForRun(id: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = (
      await app.call<{ id: number; status: string; error: string | null }[]>('runs.list', { projectId })
    ).find((r) => r.id === id);
    if (run?.status === 'completed') return;
    if (run !== undefined && !['queued', 'running'].includes(run.status)) {
      throw new Error(`run ${id} ended ${run.status}: ${run.error ?? ''}`);
    }
    if (Date.now() > until) throw new Error(`run ${id} still ${run?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  if (!haveData) return;
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  const modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 2, hidden: 32, heads: 2, seed: 3 }).dir;
  projectId = (await app.call<{ id: number }>('projects.create', { name: 'Model in the loop' })).id;
  const file = path.join(app.dataDir, 'ag-news-slice.csv');
  writeFileSync(
    file,
    `${readFileSync(AG_DEV, 'utf8')
      .split('\n')
      .slice(0, SLICE_ROWS + 1)
      .join('\n')}\n`,
  );
  datasetId = (
    await app.call<{ datasetId: number }>('datasets.import', {
      projectId,
      path: file,
      split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 7 },
    })
  ).datasetId;
  await app.call('annotate.labelDataset', { datasetId });
  // One epoch, heads only; a high learning rate so the tiny NER head proposes spans after so few steps.
  const started = await app.call<{ run: { id: number } }>('train.start', {
    projectId,
    datasetId,
    modelDir,
    name: 'heads-1ep',
    preset: 'heads-only',
    epochs: 1,
    batchSize: 8,
    maxLength: 64,
    lr: 0.01,
    device: 'cpu',
  });
  runId = started.run.id;
  await waitForRun(runId, 90_000);
  page = await openPage(browser, app.url, problems);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Annotate' }).click();
  await page.getByTestId('example-view').waitFor({ timeout: 20_000 });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe.skipIf(!haveData)('pre-annotation from the Annotate screen (browser mode)', () => {
  it('pre-annotates with the run, shows dotted model spans, lists disagreements, and one Ctrl+Z undoes it', async () => {
    const before = await stats();
    expect(before.bySpanSource.model ?? 0).toBe(0);
    expect(before.modelDisagrees).toBe(0);

    await page.getByTestId('preannotate-open').click();
    const panel = page.getByTestId('preannotate-panel');
    await panel.waitFor();
    await expect.poll(() => page.getByTestId('preannotate-run').inputValue()).toBe(String(runId));
    expect(await page.getByTestId('preannotate-run').textContent()).toMatch(/heads-1ep · heads-only · entity F1/);
    await page.getByTestId('preannotate-scope').selectOption('all-pending');
    // A threshold that keeps no proposal would replace every pending silver span with nothing: it asks first.
    await page.getByTestId('preannotate-min-confidence').fill('1');
    await page.getByTestId('preannotate-run-button').click();
    const confirm = page.getByTestId('preannotate-confirm');
    await confirm.waitFor({ timeout: 60_000 });
    expect(await confirm.textContent()).toMatch(
      new RegExp(
        `minimum confidence 1\\.00 keeps none of the model's [\\d,]+ proposals, but ${(before.bySpanSource.silver ?? 0).toLocaleString('en-US')} pending spans in ${SLICE_ROWS} examples would be removed`,
      ),
    );
    await shot('preannotate-confirm');
    await page.getByTestId('preannotate-keep').click();
    await confirm.waitFor({ state: 'detached' });
    expect(await stats()).toEqual(before);

    await page.getByTestId('preannotate-min-confidence').fill('0');
    await shot('preannotate-panel');
    await page.getByTestId('preannotate-run-button').click();
    const outcome = page.getByTestId('preannotate-outcome');
    await outcome.waitFor({ timeout: 60_000 });
    expect(await outcome.textContent()).toMatch(new RegExp(`on\\s+${SLICE_ROWS}\\s+examples`));
    await expect
      .poll(() => page.getByTestId('annotate-notice').textContent())
      .toMatch(new RegExp(`Pre-annotated ${SLICE_ROWS} examples .*One Ctrl\\+Z undoes it\\.`));
    const after = await stats();
    expect(after.bySpanSource.model ?? 0).toBeGreaterThan(0);
    expect(after.bySpanSource.silver ?? 0).toBeLessThan(before.bySpanSource.silver ?? 0);
    expect(after.modelDisagrees).toBeGreaterThan(0);

    // Examples with model spans: their marks are drawn dotted with the model's confidence.
    await page.getByTestId('filter-source').selectOption('model');
    const marks = page.getByTestId('example-text').locator('mark[data-source="model"]');
    await expect.poll(() => marks.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await marks.first().textContent()).toMatch(/\d+ ?%/);
    await shot('preannotate-model-spans');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('preannotate-model-spans-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The review loop: where model and labels differ, least confident first.
    await page.getByTestId('filter-source').selectOption('');
    // The panel stays open after the run, offering the next step.
    await page.getByTestId('preannotate-review-disagreements').click();
    expect(await page.getByTestId('filter-disagrees').isChecked()).toBe(true);
    expect(await page.getByTestId('filter-order').inputValue()).toBe('modelConfidence');
    const list = page.getByTestId('example-list');
    await expect.poll(() => list.getAttribute('data-total'), { timeout: 15_000 }).toBe(String(after.modelDisagrees));
    const expected = await app.call<{ items: { id: number; modelConfidence: number | null }[] }>(
      'annotate.listExamples',
      {
        datasetId,
        modelDisagrees: true,
        order: 'modelConfidence',
        limit: 5,
      },
    );
    const confidences = expected.items.map((e) => e.modelConfidence ?? 1);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
    await expect
      .poll(() => page.getByTestId('example-view').getAttribute('data-example-id'))
      .toBe(String(expected.items[0]!.id));
    await shot('preannotate-disagrees');

    // One Ctrl+Z takes every model span back out and restores the silver spans.
    // The review keys act when no field or button holds the keyboard (a string: no DOM lib in this file).
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('annotate-notice').textContent()).toMatch(/Undid: pre-annotate/);
    const undone = await stats();
    expect(undone.bySpanSource.model ?? 0).toBe(0);
    expect(undone.bySpanSource.silver).toBe(before.bySpanSource.silver);
    await expect.poll(() => marks.count()).toBe(0);
    await shot('preannotate-undone');
    expect(problems).toEqual([]);
  }, 150_000);
});
