// Learning curves on the Runs screen, in browser mode: a run trained through the API is the template; the
// screen refuses shares smaller than a batch (with the numbers), starts a curve on 50 and 100 % of the train
// examples, and shows its chart (points readable on focus), its table, its share runs and the verdict.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../src-main/engine/model/testing';
import { launchBrowser, openPage, type Browser } from './support/browser';
import { CHROMIUM, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

let app: ServedApp;
let browser: Browser;
let page: Page;
let projectId = 0;
let templateRun = 0;
const problems: string[] = [];

const TOPICS = [
  ['Sports', 'The team won the final game of the season'],
  ['Business', 'Shares fell after the company cut its sales forecast'],
  ['World', 'The minister met leaders in the capital for talks'],
] as const;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it or set MTS_CHROMIUM.`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  const modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 1, hidden: 16, heads: 2, seed: 5 }).dir;
  projectId = (await app.call<{ id: number }>('projects.create', { name: 'Curves' })).id;
  // 96 rows, three classes: 72 train and 24 dev (3:1 per class).
  const file = path.join(app.dataDir, 'topics.csv');
  const rows = Array.from({ length: 96 }, (_, i) => `${TOPICS[i % 3]![0]},"${TOPICS[i % 3]![1]}, report ${i}."`);
  writeFileSync(file, `label,text\n${rows.join('\n')}\n`);
  const { datasetId } = await app.call<{ datasetId: number }>('datasets.import', {
    projectId,
    path: file,
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 1 },
  });
  const started = await app.call<{ run: { id: number } }>('train.start', {
    projectId,
    datasetId,
    modelDir,
    preset: 'heads-only',
    epochs: 2,
    batchSize: 8,
    maxLength: 32,
    device: 'cpu',
    threads: 1,
  });
  templateRun = started.run.id;
  // Wait for the template run to end (expect.poll only works inside a test).
  for (let i = 0; i < 600; i++) {
    const [run] = await app.call<{ id: number; status: string }[]>('runs.list', { projectId });
    if (run?.status === 'completed') break;
    if (run && run.status !== 'running' && run.status !== 'queued') throw new Error(`template run ended ${run.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  page = await openPage(browser, app.url, problems);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('learning curves on the Runs screen', () => {
  it("refuses too small a share, then trains a curve from a run's settings and shows its chart and table", async () => {
    await page.goto(`${app.origin}/#/runs`);
    await page.getByTestId('runs-table').locator('tbody tr').first().waitFor();
    const panel = page.getByTestId('learning-curves');
    await panel.getByTestId('curve-use-run').click();
    expect(await panel.getByTestId('curve-preset').inputValue()).toBe('heads-only');
    expect(await panel.getByTestId('curve-model').inputValue()).toMatch(/tiny-bert$/);

    // 5 % of 72 train examples (at least one of each class) is fewer than the run's batch of 8: refused first.
    await panel.getByTestId('curve-shares').fill('5, 100');
    await panel.getByTestId('curve-start').click();
    await expect
      .poll(() => panel.getByTestId('error-notice').textContent(), { timeout: 20_000 })
      .toMatch(/5 % of the 72 train examples is [1-7], fewer than one batch of 8/);
    expect(await app.call<unknown[]>('curves.list', { projectId })).toEqual([]);

    await panel.getByTestId('curve-shares').fill('50, 100');
    await panel.getByTestId('curve-start').click();
    const status = panel.getByTestId('curve-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 20_000 }).toMatch(/running|completed/);
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 120_000 }).toBe('completed');

    const chart = panel.getByTestId('curve-chart');
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 15_000 }).toBe('2');
    expect(await chart.locator('svg text.axis-label').allTextContents()).toEqual(['train examples', 'dev metric (%)']);
    const rows = panel.getByTestId('curve-table').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).innerText()).toMatch(/^50 %\s+36\s+\d+\.\d %\s+—\s+#\d+/);
    expect(await rows.nth(1).innerText()).toMatch(/^100 %\s+72\s+\d+\.\d %\s+—\s+#\d+/);
    await chart.locator('g.point').first().focus();
    await expect
      .poll(() => panel.getByTestId('curve-readout').textContent())
      .toMatch(/50 % of the data, 36 train examples: dev accuracy \d+\.\d %/);
    expect(await panel.getByTestId('curve-verdict').textContent()).toMatch(
      /(More labelling (pays|pays a little|of the same kind will add little)|More data made the dev accuracy worse).*from 36 to 72 examples/,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runs-learning-curve.png'), fullPage: true });

    // Each share is a run of its own in the history, and its table row opens it.
    await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr').count(), { timeout: 15_000 }).toBe(3);
    const shareRun = (await rows.nth(1).getByRole('button').textContent())!.slice(1);
    expect(Number(shareRun)).not.toBe(templateRun);
    await rows.nth(1).getByRole('button').click();
    await expect
      .poll(() => page.getByTestId('run-detail').getAttribute('data-run'), { timeout: 15_000 })
      .toBe(shareRun);
    expect(await page.locator('#detail-title').textContent()).toMatch(/Learning curve: heads-only tiny-bert · 100 %$/);
    // A curve.json of `mts curve` imports as a curve of the project: chart, table (no run in this app), verdict.
    const file = path.join(app.dataDir, 'curve.json');
    writeFileSync(
      file,
      JSON.stringify({
        options: { train: '/data/news/train.csv', model: '/models/all-MiniLM-L6-v2' },
        devExamples: 500,
        points: [0.25, 0.5, 1].map((fraction, i) => ({
          fraction,
          trainExamples: 1000 * fraction,
          accuracy: [0.7, 0.78, 0.84][i],
          nerF1: null,
        })),
      }),
    );
    await panel.getByText('Import a curve from').click();
    await panel.getByTestId('curve-import-path').fill(file);
    await panel.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => panel.getByTestId('curve-select').locator('option:checked').textContent(), { timeout: 15_000 })
      .toMatch(/mts curve: train\.csv · all-MiniLM-L6-v2/);
    await expect.poll(() => chart.getAttribute('data-points')).toBe('3');
    expect(await rows.nth(2).innerText()).toMatch(/^100 %\s+1000\s+84\.0 %\s+—\s+mts curve$/);
    expect(await panel.getByTestId('curve-verdict').textContent()).toMatch(/^More labelling pays: .*from 250 to 1000/);

    // The one expected failure: the refused start (invalid_input is HTTP 400, which the browser logs).
    expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    expect(problems).toHaveLength(1);
  }, 240_000);
});
