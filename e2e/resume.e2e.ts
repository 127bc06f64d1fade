// Resume in browser mode: a tiny run with gradient accumulation is cancelled from the Train screen, resumed
// from the Runs screen, followed on the Train screen and completes. Self-contained: the test writes its own
// small labelled CSV and a tiny random BERT (no shared data needed).
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
let modelDir = '';
const problems: string[] = [];

const TOPICS: readonly (readonly [string, readonly string[]])[] = [
  ['Sports', ['The team won the final match', 'A striker scored twice in the derby', 'The coach praised the defence']],
  [
    'Business',
    ['Shares rose after strong earnings', 'The bank cut its interest rate', 'Sales fell in the third quarter'],
  ],
];

/** 64 labelled rows, two classes, each text made unique by a number. */
function writeCsv(): string {
  const rows = Array.from({ length: 64 }, (_, i) => {
    const [label, texts] = TOPICS[i % 2]!;
    return `"${texts[i % 3]!} (report ${i}).",${label}`;
  });
  const file = path.join(app.dataDir, 'topics.csv');
  writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
  return file;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function go(hash: string): Promise<void> {
  await page.goto(`${app.origin}/#/${hash}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
}

const stepOf = async (): Promise<number> =>
  Number(/^(\d+)/.exec((await page.getByTestId('live-step').textContent()) ?? '')?.[1]);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 2, hidden: 32, heads: 2, seed: 5 }).dir;
  projectId = (await app.call<{ id: number }>('projects.create', { name: 'Resume demo' })).id;
  await app.call('datasets.import', {
    projectId,
    path: writeCsv(),
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 7 },
  });
  page = await openPage(browser, app.url, problems);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('resume (browser mode)', () => {
  it('cancels a run with gradient accumulation, resumes it from the Runs screen and sees it complete', async () => {
    await go('train');
    await page.getByTestId('model-dir').fill(modelDir);
    await page.locator('[data-preset="heads-only"]').click();
    await page.getByText('Custom settings').click();
    await page.getByTestId('epochs').fill('300');
    await page.getByTestId('batch-size').fill('4');
    await page.getByTestId('grad-accum').fill('2');
    await page.getByTestId('lr').fill('0.001');
    await page.getByTestId('run-name').fill('resumable');
    await expect
      .poll(() => page.getByTestId('grad-accum-hint').textContent())
      .toBe('effective batch 4 × 2 = 8; less memory per step');
    const plan = page.getByTestId('plan-summary');
    await expect
      .poll(() => plan.textContent(), { timeout: 20_000 })
      .toMatch(/300 epochs = [\d,]+ steps · batch 4 × 2 = 8 · max/);
    await page.getByTestId('custom-settings').screenshot({ path: path.join(SCREENSHOTS, 'train-grad-accum.png') });
    await page.locator('[data-device="cpu"][data-status="available"]').waitFor({ timeout: 45_000 });
    await page.getByTestId('train-button').click();
    const live = page.getByTestId('live-run');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    await expect.poll(stepOf, { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByTestId('cancel-button').click();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 15_000 }).toBe('cancelled');
    await expect.poll(() => page.getByTestId('live-summary').textContent()).toMatch(/Stopped after \d+ steps/);
    await shot('train-cancelled-resumable');
    const firstStop = await stepOf();

    // Resume on the live panel: the same run continues after the step it stopped at; cancel it again.
    await page.getByTestId('resume-button').click();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/queued|running/);
    await expect
      .poll(() => page.getByTestId('live-resumed').textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`Resumed from step ${firstStop}:`));
    await expect.poll(stepOf, { timeout: 15_000 }).toBeGreaterThan(firstStop);
    await page.getByTestId('cancel-button').click();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 15_000 }).toBe('cancelled');
    const [stopped] = await app.call<{ id: number; status: string; name: string }[]>('runs.list', { projectId });
    expect(stopped).toMatchObject({ name: 'resumable', status: 'cancelled' });
    const stoppedAt = await stepOf();

    await go('runs');
    const detail = page.getByTestId('run-detail');
    await expect.poll(() => detail.getAttribute('data-run'), { timeout: 15_000 }).toBe(String(stopped!.id));
    expect(await detail.textContent()).toMatch(/batch 4 × 2 = 8/);
    await shot('runs-resumable');
    await page.getByTestId('resume-run').click();
    await expect.poll(() => new URL(page.url()).hash, { timeout: 30_000 }).toBe('#/train');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 15_000 }).toMatch(/queued|running/);
    expect(await page.getByRole('heading', { level: 2, name: /^Run \d+: resumable/ }).textContent()).toContain(
      `Run ${stopped!.id}`,
    );
    // The charts start with the steps stored before the stop.
    await expect
      .poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')))
      .toBeGreaterThanOrEqual(stoppedAt);
    await expect.poll(stepOf, { timeout: 30_000 }).toBeGreaterThan(stoppedAt);
    await shot('train-resumed');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 180_000 }).toBe('completed');
    await expect.poll(() => page.getByTestId('live-step').textContent()).toMatch(/^(\d+) \/ \1$/);
    await shot('train-resumed-completed');

    const [done] = await app.call<{ id: number; status: string; error: string | null }[]>('runs.list', { projectId });
    expect(done).toMatchObject({ id: stopped!.id, status: 'completed', error: null });
    const curves = await app.call<{ curves: { split: string; name: string; steps: number[] }[] }>('runs.curves', {
      runId: stopped!.id,
      names: ['loss'],
    });
    // One loss point per step, none repeated across the stop: 48 train examples, 12 micro-batches of 4, 2 per
    // optimizer step, 300 epochs.
    const steps = curves.curves.find((c) => c.split === 'train')!.steps;
    expect(steps).toEqual(Array.from({ length: 1800 }, (_, i) => i + 1));

    // A completed run offers no resume; asked anyway, the refusal is a sentence.
    await go('runs');
    await expect.poll(() => detail.getAttribute('data-run'), { timeout: 15_000 }).toBe(String(stopped!.id));
    expect(await page.getByTestId('resume-run').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 300_000);
});
