// Dataset health in browser mode: a small CSV with a duplicated text under two labels and a dev example that
// also sits in train, checked from the Datasets screen's Health panel with a tiny random BERT the test writes;
// a finding is dropped from the panel (the report turns stale), its link opens the example in Annotate, and
// one Ctrl+Z puts it back.
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
let modelDir = '';
let projectId = 0;
const problems: string[] = [];

const TOPICS = [
  'markets rose as oil fell',
  'the team won the final',
  'police closed the road',
  'shares of the bank fell',
];
const ROWS = [
  ...Array.from({ length: 24 }, (_, i) => [i % 2 === 0 ? 'Business' : 'Sports', `${TOPICS[i % 4]} on day ${i}`]),
  ['Sports', 'markets rose as oil fell on day 0'], // the text of row 1 under another label
];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 2, hidden: 32, heads: 2, seed: 3 }).dir;
  projectId = (await app.call<{ id: number }>('projects.create', { name: 'Health' })).id;
  const file = path.join(app.dataDir, 'health.csv');
  writeFileSync(file, ['label,text', ...ROWS.map(([l, t]) => `${l},${t}`)].join('\n') + '\n');
  await app.call('datasets.import', {
    projectId,
    path: file,
    keepDuplicates: true,
    split: { mode: 'fixed', split: 'train' },
  });
  page = await openPage(browser, app.url, problems);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Example {
  readonly id: number;
  readonly split: string | null;
}

describe('Health panel on the Datasets screen (browser mode)', () => {
  it('checks the dataset, shows the conflicting duplicate, drops it as an undoable edit and links to Annotate', async () => {
    await page.getByTestId('datasets').getByRole('button', { name: 'health.csv' }).click();
    const panel = page.getByTestId('health-panel');
    await panel.waitFor({ timeout: 15_000 });
    await page.getByTestId('health-none').waitFor();
    await page.getByTestId('health-model').fill(modelDir);
    await page.getByTestId('health-check').click();
    await page.getByTestId('health-meta').waitFor({ timeout: 60_000 });
    const conflicts = page.getByTestId('health-conflicts');
    expect(await conflicts.textContent()).toContain('markets rose as oil fell on day 0');
    expect(await page.getByTestId('health-balance').textContent()).toMatch(/Sports 13[\s\S]*Business 12/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'health-panel.png'), fullPage: true });

    // Drop the second copy (row 25): out of every split, one undoable edit; the stored report turns stale.
    const link = conflicts.getByTestId('health-annotate-link').nth(1);
    const exampleId = Number((await link.textContent())!.replace('#', ''));
    await conflicts.locator('li').first().getByTestId('health-drop').nth(1).click();
    await page.getByTestId('health-stale').waitFor();
    expect((await app.call<Example>('annotate.getExample', { exampleId })).split).toBeNull();

    await link.click();
    await expect
      .poll(() => page.getByTestId('example-view').getAttribute('data-example-id'), { timeout: 15_000 })
      .toBe(String(exampleId));
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.call<Example>('annotate.getExample', { exampleId })).split).toBe('train');
    expect(problems).toEqual([]);
  });
});
