// One dataset per task on the Train screen, in browser mode: classes from one dataset with a separate dev
// dataset, entities from another; the plan says which data each task uses, and the run records it.
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
const ids: Record<string, number> = {};
const problems: string[] = [];

const TOPICS = [
  ['Sports', 'The team won the final game of the season'],
  ['Business', 'Shares fell after the company cut its sales forecast'],
] as const;
const PLACES = ['Paris', 'London', 'Berlin', 'Madrid', 'Rome'];

/** Writes rows as JSONL in the test's data folder and imports them with the given split policy. */
async function importRows(projectId: number, name: string, rows: readonly object[], split: object): Promise<void> {
  const file = path.join(app.dataDir, `${name}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  const s = await app.call<{ datasetId: number }>('datasets.import', { projectId, path: file, name, split });
  ids[name] = s.datasetId;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it or set MTS_CHROMIUM.`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
  modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), { layers: 1, hidden: 16, heads: 2, seed: 5 }).dir;
  const { id: projectId } = await app.call<{ id: number }>('projects.create', { name: 'Per task' });
  const classes = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => {
      const [label, text] = TOPICS[i % 2]!;
      return { text: `${text}, report ${from + i}.`, label };
    });
  await importRows(projectId, 'topics', classes(40, 0), { mode: 'fixed', split: 'train' });
  await importRows(projectId, 'topics-dev', classes(10, 100), { mode: 'fixed', split: 'dev' });
  const entities = Array.from({ length: 40 }, (_, i) => {
    const place = PLACES[i % PLACES.length]!;
    const text = `Anna Berg flew to ${place} on trip ${i}.`;
    const at = text.indexOf(place);
    return {
      text,
      spans: [
        { start: 0, end: 9, label: 'PER' },
        { start: at, end: at + place.length, label: 'LOC' },
      ],
    };
  });
  await importRows(projectId, 'entities', entities, { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 2 });
  page = await openPage(browser, app.url, problems);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('train with one dataset per task', () => {
  it('plans classes from one dataset with a dev dataset and entities from another, trains, and the run says so', async () => {
    await page.goto(`${app.origin}/#/train`);
    await page.getByTestId('dataset-select').selectOption(String(ids.topics));
    await page.getByTestId('model-dir').fill(modelDir);
    await page.getByText('Custom settings').click();
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('batch-size').fill('16');
    await page.getByTestId('max-length').fill('32');
    await page.getByTestId('lr').fill('0.001');

    // Without a dev source the "topics" file (all train) cannot be evaluated: the plan refuses and says why.
    await expect
      .poll(() => page.getByTestId('plan-refusals').textContent(), { timeout: 20_000 })
      .toMatch(/"topics" \(dev split\) has no examples to evaluate classes on/);
    await page.getByTestId('ner-dataset').selectOption(String(ids.entities));
    await page.getByTestId('dev-dataset').selectOption(String(ids['topics-dev']));
    const uses = page.getByTestId('plan-sources');
    await expect
      .poll(() => uses.innerText(), { timeout: 20_000 })
      .toMatch(
        /Classes: train on the train split of “topics” \(40\), evaluate on all of “topics-dev” \(10\)\s+Entities: train on the train split of “entities” \(30\), evaluate on the dev split of “entities” \(10\)/,
      );
    // Both heads train: auto keeps the checkpoint with the best mean; a named metric replaces it.
    const keeps = page.getByTestId('plan-select-metric');
    await expect.poll(() => keeps.textContent(), { timeout: 20_000 }).toBe('by Mean of accuracy and entity F1 on dev');
    await page.getByTestId('select-metric').selectOption('ner.f1');
    await expect.poll(() => keeps.textContent(), { timeout: 20_000 }).toBe('by Entity F1 on dev');
    // The auto choice still says what auto means here, not what was picked instead.
    expect(await page.getByTestId('select-metric').locator('option[value="auto"]').textContent()).toBe(
      'Mean of accuracy and entity F1 (auto)',
    );
    await page.locator('[data-device="cpu"][data-status="available"]').waitFor({ timeout: 45_000 });
    await expect.poll(() => page.getByTestId('train-button').isDisabled(), { timeout: 20_000 }).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'train-sources.png'), fullPage: true });

    await page.getByTestId('train-button').click();
    const live = page.getByTestId('live-run');
    await live.waitFor();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 90_000 }).toBe('completed');
    expect(await live.innerText()).toMatch(/Best Entity F1: \d+\.\d %/);

    const [run] = await app.call<{ id: number; best: Record<string, unknown> }[]>('runs.list', {
      projectId: 1,
    });
    expect(Object.keys(run!.best)).toEqual(expect.arrayContaining(['classification.accuracy', 'ner.f1']));
    await page.goto(`${app.origin}/#/runs`);
    await expect
      .poll(() => page.getByTestId('run-data').innerText(), { timeout: 15_000 })
      .toMatch(
        /Classification: trained on the train split of "topics", evaluated on every example of "topics-dev"\s+Entities: trained on the train split of "entities", evaluated on the dev split of "entities"/,
      );
    expect(problems).toEqual([]);
  }, 180_000);
});
