// Train -> Runs -> Playground -> Export in browser mode, with a tiny random BERT the test writes and a slice of
// ../shared/data/ag_news/dev.csv (silver-labelled through the API so the NER head has something to learn).
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
if (!haveData) console.warn(`[e2e] skipping the training flow: ${AG_DEV} is missing (the shared data folder).`);

const SLICE_ROWS = 160;
const SENTENCE = 'Microsoft shares rose in New York on Monday after Bill Gates spoke in London.';

let app: ServedApp;
let browser: Browser;
let page: Page;
let projectId = 0;
let datasetId = 0;
let modelDir = '';
let devCount = 0;
const problems: string[] = [];

/** The header and the first SLICE_ROWS rows of AG News dev, as a new CSV in the test's data folder. */
function writeSlice(): string {
  const lines = readFileSync(AG_DEV, 'utf8').split('\n');
  const file = path.join(app.dataDir, 'ag-news-slice.csv');
  writeFileSync(file, `${lines.slice(0, SLICE_ROWS + 1).join('\n')}\n`);
  return file;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function go(hash: string): Promise<void> {
  await page.goto(`${app.origin}/#/${hash}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
}

beforeAll(async () => {
  if (!haveData) return;
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 2, hidden: 32, heads: 2, seed: 3 }).dir;
  const project = await app.call<{ id: number }>('projects.create', { name: 'News slice' });
  projectId = project.id;
  const summary = await app.call<{ datasetId: number; examples: number }>('datasets.import', {
    projectId,
    path: writeSlice(),
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 7 },
  });
  datasetId = summary.datasetId;
  await app.call('annotate.labelDataset', { datasetId });
  page = await openPage(browser, app.url, problems);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe.skipIf(!haveData)('training flow (browser mode)', () => {
  it('shows the plan, trains one epoch heads-only with live progress, and ends completed', async () => {
    await go('train');
    await page.getByTestId('model-dir').fill(path.join(app.dataDir, 'no-such-model'));
    await expect
      .poll(() => page.getByTestId('model-status').textContent(), { timeout: 20_000 })
      .toMatch(/no-such-model cannot be used/);
    expect(await page.getByTestId('train-button').isDisabled()).toBe(true);
    expect(await page.getByTestId('plan-refusals').textContent()).toMatch(/cannot start/);
    // Browse picks the folder: it opens at the typed path (here the model's parent), then into the model.
    await page.getByTestId('model-dir').fill(path.dirname(modelDir));
    await page.getByTestId('model-browse').click();
    const picker = page.getByTestId('file-picker');
    await picker
      .getByRole('button', { name: path.basename(modelDir), exact: false })
      .first()
      .click();
    await expect.poll(() => picker.locator('.where').textContent()).toBe(modelDir);
    await picker.getByRole('button', { name: 'Choose this folder' }).click();
    expect(await page.getByTestId('model-dir').inputValue()).toBe(modelDir);
    await expect
      .poll(() => page.getByTestId('model-status').textContent(), { timeout: 20_000 })
      .toMatch(/BERT encoder: 2 layers × 32 hidden/);
    // A learning rate typed for one preset does not leak into the next: each preset brings its recipe.
    await page.getByText('Custom settings').click();
    await page.getByTestId('lr').fill('0.01');
    await page.locator('[data-preset="heads-only"]').click();
    expect(await page.getByTestId('lr').inputValue()).toBe('');
    await expect
      .poll(() => page.getByTestId('plan-recipe').textContent(), { timeout: 20_000 })
      .toMatch(/lr 0\.002 \(preset\) · \d+ epochs \(preset\) = \d+ steps/);
    expect(await page.getByTestId('lr').getAttribute('placeholder')).toBe('0.002');
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('batch-size').fill('16');
    await page.getByTestId('max-length').fill('64');
    await page.getByTestId('lr').fill('0.001');
    await expect.poll(() => page.getByTestId('frozen-groups').textContent()).toMatch(/embeddings.*layer 0.*layer 1/);
    const plan = page.getByTestId('plan-summary');
    await expect.poll(() => plan.textContent()).toMatch(/lr 0\.001 · 1 epoch = \d+ steps · batch 16 · max 64 tokens/);
    // One epoch of a small slice is too few optimizer steps: the plan says so and how many epochs to use.
    expect(await page.getByTestId('plan-warnings').textContent()).toMatch(
      /This run takes \d+ optimizer steps \(1 epoch of \d+\); "heads-only" needs at least 75 to learn: use \d+ epochs/,
    );
    // 160 rows split 3:1 per class (rounded per class), four classes, silver entity types present.
    const counts = /(\d+) train · (\d+) dev/.exec((await plan.textContent()) ?? '');
    expect(Number(counts?.[1]) + Number(counts?.[2])).toBe(SLICE_ROWS);
    devCount = Number(counts?.[2]);
    expect(devCount).toBeGreaterThanOrEqual(36);
    expect(await page.getByTestId('plan-classes').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('plan-types').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.locator('[data-device="cpu"][data-status="available"]').waitFor({ timeout: 45_000 });
    await shot('train-plan');

    await page.getByTestId('train-button').click();
    const live = page.getByTestId('live-run');
    await live.waitFor();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 90_000 }).toBe('completed');
    expect(await page.getByTestId('live-device').textContent()).toBe('cpu');
    await expect.poll(() => page.getByTestId('live-step').textContent()).toMatch(/^(\d+) \/ \1$/);
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('dev-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('live-summary').textContent()).toMatch(/Finished after \d+ steps/);
    await shot('train-live');
  });

  it('lists the run with its metrics, its confusion matrix and per-type scores, and compares two runs', async () => {
    await go('runs');
    const table = page.getByTestId('runs-table');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 15_000 }).toBe(1);
    const row = table.locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toMatch(/heads-only[\s\S]*tiny-bert[\s\S]*cpu[\s\S]*completed/);
    await expect.poll(() => row.getByTestId('run-best').textContent()).toMatch(/Accuracy \d+\.\d %/);

    const detail = page.getByTestId('run-detail');
    await detail.waitFor();
    const [run] = await app.call<{ id: number; best: Record<string, { value: number }> }[]>('runs.list', { projectId });
    const accuracy = `${(run!.best['classification.accuracy']!.value * 100).toFixed(1)} %`;
    await expect.poll(() => page.getByTestId('eval-accuracy').textContent()).toBe(accuracy);
    expect(await page.getByTestId('eval-kept-by').textContent()).toMatch(
      /Kept for the best (Accuracy|Mean of accuracy and entity F1) on dev\./,
    );
    const cells = await page.getByTestId('confusion-matrix').locator('tbody td').allTextContents();
    expect(cells).toHaveLength(16);
    expect(cells.reduce((sum, c) => sum + Number(c), 0)).toBe(devCount);
    expect(await page.getByTestId('per-class').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('per-type').locator('tbody tr').count()).toBeGreaterThan(0);
    await shot('runs-detail');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('run-evaluation').screenshot({ path: path.join(SCREENSHOTS, 'runs-evaluation-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('load-mistakes').click();
    await expect
      .poll(() => page.getByTestId('mistakes-summary').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`[\\d,]+ class mistakes and [\\d,]+ entity mismatches in ${devCount} dev examples`));
    await page.getByTestId('mistakes').screenshot({ path: path.join(SCREENSHOTS, 'runs-mistakes.png') });
    // A mistake opens its example in Annotate (deep link), where it can be fixed before retraining.
    const link = page.getByTestId('mistake-link').first();
    const exampleId = await link.locator('xpath=ancestor::tr').getAttribute('data-example');
    await link.click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/annotate?example=${exampleId}`);
    await expect
      .poll(() => page.getByTestId('example-view').getAttribute('data-example-id'), { timeout: 15_000 })
      .toBe(exampleId);
    await go('runs');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 15_000 }).toBe(1);

    // A second run with another learning rate, started through the API; then compare the two.
    const second = await app.call<{ run: { id: number } }>('train.start', {
      projectId,
      datasetId,
      modelDir,
      preset: 'heads-only',
      epochs: 1,
      batchSize: 16,
      maxLength: 64,
      lr: 0.003,
    });
    await expect
      .poll(async () => (await app.call<{ id: number; status: string }[]>('runs.list', { projectId }))[0]?.status, {
        timeout: 90_000,
      })
      .toBe('completed');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 15_000 }).toBe(2);
    await page.getByRole('checkbox', { name: `Compare run ${second.run.id}` }).check();
    await page.getByRole('checkbox', { name: `Compare run ${run!.id}` }).check();
    await page.getByTestId('compare-button').click();
    const diff = page.getByTestId('config-diff');
    await expect
      .poll(() => diff.textContent(), { timeout: 15_000 })
      .toMatch(/config\.request\.lr[\s\S]*0\.003[\s\S]*0\.001/);
    expect(await page.getByTestId('compare-metrics').textContent()).toMatch(/Accuracy/);
    expect(Number(await page.getByTestId('compare-loss').getAttribute('data-points'))).toBeGreaterThan(0);
    await shot('runs-compare');
  });

  it('predicts a pasted sentence in the Playground: class bars, entities in place, tokens, neighbours', async () => {
    await go('playground');
    await page.getByTestId('run-select').waitFor();
    await page.getByTestId('playground-text').fill(SENTENCE);
    await page.getByTestId('predict-button').click();
    await page.getByTestId('prediction').waitFor({ timeout: 20_000 });
    const runId = Number(await page.getByTestId('run-select').inputValue());
    const expected = await app.call<{ label: string; entities: { start: number; end: number; type: string }[] }>(
      'playground.predict',
      { runId, text: SENTENCE },
    );
    expect(await page.getByTestId('predicted-class').textContent()).toBe(expected.label);
    expect(await page.getByTestId('class-probs').locator('li').count()).toBe(4);
    const marks = page.getByTestId('entity-text').locator('mark');
    await expect.poll(() => marks.count()).toBe(expected.entities.length);
    for (const [i, e] of expected.entities.entries()) {
      expect(await marks.nth(i).getAttribute('data-type')).toBe(e.type);
      expect(await marks.nth(i).getAttribute('data-start')).toBe(String(e.start));
    }
    if (expected.entities.length === 0) expect(await page.getByTestId('no-entities').isVisible()).toBe(true);
    // The visible text is the sentence, character for character (entity tags aside).
    const view = page.getByTestId('entity-text');
    let shown = (await view.textContent()) ?? '';
    for (const tag of await view.locator('.tag').allTextContents()) shown = shown.replace(tag, '');
    expect(shown.trim()).toBe(SENTENCE);
    expect(await page.getByTestId('tokens').locator('li').first().textContent()).toMatch(/\[CLS\]/);
    await page.getByTestId('nearest-button').click();
    await expect.poll(() => page.getByTestId('nearest').locator('ol li').count(), { timeout: 30_000 }).toBe(5);
    expect(await page.getByTestId('prediction-timing').textContent()).toMatch(/fp32 · \d+\.\d ms/);
    await shot('playground-result');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('playground-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // The int8 model: same screen, its own timing line.
    await page.getByTestId('playground-int8').check();
    await page.getByTestId('predict-button').click();
    await expect
      .poll(() => page.getByTestId('prediction-timing').textContent(), { timeout: 20_000 })
      .toMatch(/int8 · \d+\.\d ms/);
    await shot('playground-int8');
  });

  it('exports the chosen run into a folder and shows the files and the parity check', async () => {
    await go('export');
    await page.getByTestId('run-select').waitFor();
    const folder = path.join(app.dataDir, 'exports');
    mkdirSync(folder, { recursive: true });
    // Browse, as on the Train screen: from the data folder into exports/, chosen.
    await page.getByTestId('export-folder').fill(app.dataDir);
    await page.getByTestId('export-browse').click();
    const picker = page.getByTestId('file-picker');
    await picker.getByRole('button', { name: 'exports' }).click();
    await expect.poll(() => picker.locator('.where').textContent()).toBe(folder);
    await picker.getByRole('button', { name: 'Choose this folder' }).click();
    expect(await page.getByTestId('export-folder').inputValue()).toBe(folder);
    await page.getByTestId('export-name').fill('news-bundle');
    await page.getByTestId('export-int8').check();
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    const outDir = path.join(folder, 'news-bundle');
    expect(await page.getByTestId('export-outdir').textContent()).toBe(outDir);
    const files = await page.getByTestId('export-files').locator('tbody code').allTextContents();
    expect(files).toContain('model.onnx');
    expect(files).toContain('model.int8.onnx');
    expect(files).toContain('labels.json');
    expect(await page.getByTestId('int8-agreement').textContent()).toMatch(/int8 vs fp32 .*same class for \d+\.\d %/);
    for (const f of files) expect(existsSync(path.join(outDir, f)), f).toBe(true);
    expect(await page.getByTestId('parity-result').textContent()).toMatch(/Parity check passed/);
    // Sizes as measured on the written files; the card lists the int8 files that were written.
    const sizes = await page.getByTestId('export-sizes').textContent();
    expect(sizes).toMatch(/^3 float32 graphs [\d.]+ [KM]iB · 3 int8 graphs [\d.]+ [KM]iB \(\d+ % of float32/);
    // One weights file per precision: the head folders' copies are hard links, counted once on disk.
    expect(sizes).toMatch(/ [\d.]+ [KM]iB on disk\. .*hard links/);
    expect(files).toContain('ner/onnx/model_quantized.onnx_data');
    expect(readFileSync(path.join(outDir, 'README.md'), 'utf8')).toContain('- `model.int8.onnx` (');
    await shot('export-result');

    // Exporting again to the same name is refused with a readable message.
    await page.getByTestId('export-button').click();
    await expect
      .poll(() => page.getByTestId('error-notice').first().textContent(), { timeout: 20_000 })
      .toMatch(/already exists/);
    expect(problems.filter((p) => !p.includes('status of 409'))).toEqual([]);
  });

  it('follows a running training from another screen and cancels it within seconds', async () => {
    await go('train');
    await page.getByTestId('model-dir').fill(modelDir);
    await page.locator('[data-preset="heads-only"]').click();
    await page.getByText('Custom settings').click();
    await page.getByTestId('epochs').fill('500');
    await page.getByTestId('batch-size').fill('8');
    await page.getByTestId('run-name').fill('long run');
    // The tiny model has 64 positions: the default 128 tokens is lowered to fit it.
    await expect.poll(() => page.getByTestId('max-length').inputValue()).toBe('64');
    await expect.poll(() => page.getByTestId('plan-summary').textContent()).toMatch(/500 epochs/);
    await page.getByTestId('train-button').click();
    await expect
      .poll(() => page.getByTestId('live-run').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('running');

    // Closing the tab mid-training does not touch the run: it keeps going in the backend, and a new tab's
    // history shows it running...
    await page.close();
    page = await openPage(browser, app.url, problems);
    await go('runs');
    const running = page.getByTestId('runs-table').locator('tbody tr', { hasText: 'long run' });
    await expect.poll(() => running.textContent(), { timeout: 15_000 }).toMatch(/running/);
    // ...and the Train screen picks the live run up again, charts seeded from the stored curves.
    await go('train');
    const live = page.getByTestId('live-run');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 15_000 }).toBe('running');
    await expect
      .poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points')))
      .toBeGreaterThan(0);
    const stepText = async (): Promise<number> =>
      Number(/^(\d+)/.exec((await page.getByTestId('live-step').textContent()) ?? '')?.[1]);
    await expect.poll(stepText, { timeout: 15_000 }).toBeGreaterThan(0);

    const pressed = Date.now();
    await page.getByTestId('cancel-button').click();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 15_000 }).toBe('cancelled');
    expect(Date.now() - pressed).toBeLessThan(10_000);
    await expect.poll(() => page.getByTestId('live-summary').textContent()).toMatch(/Stopped after \d+ steps/);
    await shot('train-cancelled');
    const runs = await app.call<{ name: string; status: string; best: Record<string, unknown> }[]>('runs.list', {
      projectId,
    });
    const cancelled = runs.find((r) => r.name === 'long run');
    expect(cancelled?.status).toBe('cancelled');
    // It evaluated before stopping, so it keeps a best checkpoint with metrics.
    expect(Object.keys(cancelled?.best ?? {})).toContain('classification.accuracy');
    expect(problems.filter((p) => !p.includes('status of 409'))).toEqual([]);
  });
});
