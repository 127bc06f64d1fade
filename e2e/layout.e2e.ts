// The screens people work in (Annotate, Runs, Train) at the narrowest supported width (1000 px) and a common
// laptop width (1440 px): no horizontal overflow, the text column usable, the key buttons on screen.
// Screenshots go to e2e/screenshots/layout-<screen>-<width>.png.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../src-main/engine/model/testing';
import { launchBrowser, openPage, type Browser } from './support/browser';
import { CHROMIUM, REPO, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

const AG_DEV = path.resolve(REPO, '../shared/data/ag_news/dev.csv');
const haveData = existsSync(AG_DEV);
if (!haveData) console.warn(`[e2e] skipping the layout checks: ${AG_DEV} is missing (the shared data folder).`);

const WIDTHS = [1000, 1440] as const;
const HEIGHT = 800;

let app: ServedApp;
let browser: Browser;
let page: Page;
let modelDir = '';
const problems: string[] = [];

beforeAll(async () => {
  if (!haveData) return;
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 1, hidden: 16, heads: 2, seed: 5 }).dir;
  const { id: projectId } = await app.call<{ id: number }>('projects.create', { name: 'Layout check' });
  const file = path.join(app.dataDir, 'slice.csv');
  writeFileSync(file, `${readFileSync(AG_DEV, 'utf8').split('\n').slice(0, 61).join('\n')}\n`);
  const { datasetId } = await app.call<{ datasetId: number }>('datasets.import', {
    projectId,
    path: file,
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 7 },
  });
  await app.call('annotate.labelDataset', { datasetId });
  // Two finished runs, one with a long name, so the Runs table has real rows to fit.
  for (const name of ['short', 'a run with a rather long descriptive name to stress the table']) {
    const base = { projectId, datasetId, modelDir, name, preset: 'heads-only', device: 'cpu', threads: 1 };
    const started = await app.call<{ run: { id: number } }>('train.start', {
      ...base,
      maxSteps: 2,
      batchSize: 8,
      maxLength: 64,
    });
    await waitForRun(started.run.id);
  }
  page = await openPage(browser, app.url, problems);
}, 180_000);

/** Polls the run until it ends; anything but completed fails the setup. */
async function waitForRun(runId: number): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 250))) {
    const { run } = await app.call<{ run: { status: string; error: string | null } }>('runs.get', { runId });
    if (run.status === 'completed') return;
    if (!['queued', 'running'].includes(run.status)) throw new Error(`run ${runId} ended ${run.status}: ${run.error}`);
  }
  throw new Error(`run ${runId} did not finish within 60 s`);
}

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function go(hash: string, width: number): Promise<void> {
  await page.setViewportSize({ width, height: HEIGHT });
  await page.goto(`${app.origin}/#/${hash}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
}

/** The page scrolls only vertically: nothing sticks out to the right of the viewport. */
async function expectNoHorizontalOverflow(width: number): Promise<void> {
  const overflow = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  expect(overflow.scrollWidth, `page is ${overflow.scrollWidth} px wide at ${width} px`).toBeLessThanOrEqual(
    overflow.clientWidth,
  );
}

/** The element is fully inside the viewport's width once scrolled to (visible, not clipped at the right). */
async function expectInView(locator: Locator, what: string, width: number): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  expect(box, `${what} is not rendered at ${width} px`).not.toBeNull();
  expect(box!.x, `${what} starts left of the viewport at ${width} px`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} ends past the right edge at ${width} px`).toBeLessThanOrEqual(width);
  expect(box!.y + box!.height, `${what} ends below the viewport at ${width} px`).toBeLessThanOrEqual(HEIGHT);
}

async function shot(name: string, width: number): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `layout-${name}-${width}.png`), fullPage: true });
}

describe.skipIf(!haveData)('layout from 1000 px up (browser mode)', () => {
  for (const width of WIDTHS) {
    it(`Annotate at ${width} px: a usable text column, Accept and Skip on screen`, async () => {
      await go('annotate', width);
      const view = page.getByTestId('example-view');
      await view.waitFor();
      await expectNoHorizontalOverflow(width);
      await expectInView(page.getByTestId('accept-example'), 'Accept', width);
      await expectInView(page.getByRole('button', { name: /^Skip/ }), 'Skip', width);
      const text = page.getByTestId('example-text');
      const textBox = await text.boundingBox();
      // About 50 characters a line at the least: a sentence reads as a sentence, not a column of words.
      expect(textBox!.width, `text column is ${textBox!.width} px at ${width} px`).toBeGreaterThanOrEqual(
        width < 1200 ? 420 : 500,
      );
      await shot('annotate', width);
    });

    it(`Runs at ${width} px: the table fits without a horizontal scrollbar`, async () => {
      await go('runs', width);
      const table = page.getByTestId('runs-table');
      await table.locator('tbody tr').nth(1).waitFor();
      await expectNoHorizontalOverflow(width);
      const fit = await table.evaluate((t) => ({
        table: t.getBoundingClientRect().width,
        box: t.parentElement!.clientWidth,
      }));
      expect(fit.table, `runs table ${fit.table} px in a ${fit.box} px box at ${width} px`).toBeLessThanOrEqual(
        fit.box + 1,
      );
      await expectInView(table.locator('tbody tr').first().getByTestId('run-best'), 'best metrics', width);
      await shot('runs', width);
    });

    it(`Train at ${width} px: presets, plan and the Train button on screen`, async () => {
      await go('train', width);
      await page.getByTestId('model-dir').fill(modelDir);
      await expect.poll(() => page.getByTestId('plan-recipe').textContent(), { timeout: 20_000 }).toMatch(/lr/);
      await expectNoHorizontalOverflow(width);
      for (const preset of ['full', 'heads-only', 'freeze-classifier', 'freeze-ner'])
        await expectInView(page.locator(`[data-preset="${preset}"]`), `preset ${preset}`, width);
      await expectInView(page.getByTestId('train-button'), 'Train button', width);
      await shot('train', width);
    });
  }

  it('logs no console errors', () => {
    expect(problems).toEqual([]);
  });
});
