// The model picker in browser mode against a local hub (the test's own HTTP server speaking the hub's protocol;
// the served app's HF_ENDPOINT points at it and its HF_HUB_CACHE is a temp folder): search, size before the
// download, progress, cancel mid-way, resume to completion, train with the downloaded model; a gated repo and a
// repo that is not BERT-family shown as plain-language errors.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../src-main/engine/model/testing';
import { repoFromFolder, startTestHub, type TestHub } from '../src-main/services/models/testing';
import { launchBrowser, openPage, type Browser } from './support/browser';
import { CHROMIUM, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

let hub: TestHub;
let app: ServedApp;
let browser: Browser;
let page: Page;
let work = '';
let weightsBytes = 0;
let projectId = 0;
const problems: string[] = [];

/** Serves the app with the hub variables set for its process only. */
async function serveWithHub(cache: string): Promise<ServedApp> {
  const keys = ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_HUB_OFFLINE', 'HF_TOKEN'] as const;
  const saved = keys.map((k) => [k, process.env[k]] as const);
  process.env.HF_ENDPOINT = hub.endpoint;
  process.env.HF_HUB_CACHE = cache;
  delete process.env.HF_HUB_OFFLINE;
  delete process.env.HF_TOKEN;
  try {
    return await serveApp();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function choose(query: string, repoId: string): Promise<void> {
  await page.getByTestId('hub-search').fill(query);
  await page.getByTestId('hub-search').press('Enter');
  await page.getByTestId('hub-hit').filter({ hasText: repoId }).click();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'mts-e2e-hub-'));
  // Big enough (~14 MB of weights: hashed on the pull's worker thread) to cancel part-way on a slowed line,
  // small enough to train one step in seconds.
  const bert = writeTinyBert(path.join(work, 'bert'), {
    layers: 2,
    hidden: 384,
    heads: 6,
    intermediate: 1536,
    maxPositions: 128,
    seed: 5,
  }).dir;
  const files = repoFromFolder(bert).files;
  weightsBytes = files.get('model.safetensors')!.length;
  const gpt = new Map(files);
  gpt.set('config.json', Buffer.from(JSON.stringify({ model_type: 'gpt2', n_layer: 2, n_embd: 64 })));
  hub = await startTestHub(
    new Map([
      ['acme/tiny-bert', { files, commit: 'a'.repeat(40) }],
      ['acme/tiny-gpt', { files: gpt, commit: 'b'.repeat(40) }],
      ['acme/gated-bert', { files, commit: 'c'.repeat(40), token: 'hf_secret' }],
    ]),
  );
  app = await serveWithHub(path.join(work, 'hf-cache'));
  browser = await launchBrowser();
  const project = await app.call<{ id: number }>('projects.create', { name: 'Hub model' });
  projectId = project.id;
  const csv = path.join(app.dataDir, 'tiny.csv');
  const rows = Array.from({ length: 40 }, (_, i) =>
    i % 2 ? `Sports,"The team won game ${i}."` : `Business,"Shares rose ${i} percent."`,
  );
  writeFileSync(csv, `label,text\n${rows.join('\n')}\n`);
  await app.call('datasets.import', {
    projectId: project.id,
    path: csv,
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 1 },
  });
  page = await openPage(browser, app.url, problems);
  await page.goto(`${app.origin}/#/train`);
  await page.getByTestId('model-picker').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await hub?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('model picker (browser mode)', () => {
  it('searches the hub, shows the size, downloads with progress, cancels, resumes and trains with the model', async () => {
    await expect.poll(() => page.getByTestId('cached-none').textContent()).toMatch(/None yet in .*hf-cache/);
    await page.getByTestId('hub-search').fill('tiny');
    await page.getByTestId('hub-search').press('Enter');
    await expect
      .poll(() => page.getByTestId('hub-hit').allTextContents())
      .toEqual([expect.stringMatching(/acme\/tiny-bert/), expect.stringMatching(/acme\/tiny-gpt/)]);
    await page.getByTestId('hub-hit').filter({ hasText: 'acme/tiny-bert' }).click();
    const size = page.getByTestId('hub-size');
    await expect
      .poll(() => size.textContent())
      .toMatch(/Download size: 1\d\.\d MB \(config\.json, vocab\.txt, .*model\.safetensors\)/);

    hub.faults.bytesPerSec = 1_000_000; // a slow line, so the download can be watched and cancelled
    await page.getByTestId('hub-download').click();
    const progress = page.getByTestId('hub-progress');
    await expect
      .poll(() => progress.textContent(), { timeout: 20_000 })
      .toMatch(/^[\d.]+ (KB|MB) of 1\d\.\d MB · [\d.]+ (KB|MB)\/s · \d+ s left$/); // 1 MB/s: seconds, not minutes
    await page.screenshot({ path: path.join(SCREENSHOTS, 'models-download.png'), fullPage: true });
    await page.getByTestId('hub-cancel').click();
    await expect
      .poll(() => page.getByTestId('hub-cancelled').textContent(), { timeout: 15_000 })
      .toMatch(/Download cancelled; [\d.]+ (KB|MB) kept\. Downloading again resumes from there\./);
    const blobs = path.join(work, 'hf-cache', 'models--acme--tiny-bert', 'blobs');
    const partial = readdirSync(blobs).filter((b) => b.endsWith('.incomplete'));
    expect(partial).toHaveLength(1);
    expect(await page.getByTestId('hub-download').textContent()).toMatch(/Resume download/);

    delete hub.faults.bytesPerSec;
    hub.requests.length = 0;
    await page.getByTestId('hub-download').click();
    await expect
      .poll(() => page.getByTestId('hub-ready').textContent(), { timeout: 30_000 })
      .toMatch(/Downloaded and verified/);
    expect(hub.requests.some((r) => /GET .*model\.safetensors bytes=[1-9]\d*-$/.test(r))).toBe(true);
    expect(readdirSync(blobs).filter((b) => b.endsWith('.incomplete'))).toEqual([]);
    await expect.poll(() => page.getByTestId('cached-models').textContent()).toMatch(/acme\/tiny-bert/);

    await page.getByTestId('hub-use').click();
    expect(await page.getByTestId('model-dir').inputValue()).toBe('acme/tiny-bert');
    await expect
      .poll(() => page.getByTestId('model-status').textContent(), { timeout: 20_000 })
      .toMatch(/BERT encoder: 2 layers × 384 hidden/);
    const train = page.getByTestId('train-button');
    await expect.poll(() => train.isEnabled(), { timeout: 45_000 }).toBe(true);
    await page.getByText('Custom settings').click();
    await page.getByTestId('epochs').fill('1');
    await train.click();
    const live = page.getByTestId('live-run');
    await live.waitFor();
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 90_000 }).toBe('completed');
    const runs = await app.call<{ name: string; modelPath: string }[]>('runs.list', { projectId });
    expect(runs[0]).toMatchObject({ name: 'full acme/tiny-bert' });
    expect(runs[0]!.modelPath).toMatch(/models--acme--tiny-bert\/snapshots\/a{40}$/);
    expect(weightsBytes).toBeGreaterThan(8 << 20);
  });

  it('shows a gated repo and a repo that is not BERT-family as plain-language errors, without their weights', async () => {
    await page.getByRole('button', { name: 'Train another' }).click();
    await page.getByTestId('model-picker').waitFor();
    hub.requests.length = 0;
    await choose('gated', 'acme/gated-bert');
    await expect
      .poll(() => page.getByTestId('hub-error').textContent(), { timeout: 15_000 })
      .toMatch(/'acme\/gated-bert' is gated or private .*set HF_TOKEN to a token with read access/);
    await choose('gpt', 'acme/tiny-gpt');
    await expect
      .poll(() => page.getByTestId('hub-error').textContent(), { timeout: 15_000 })
      .toMatch(/^'acme\/tiny-gpt' is not a BERT-family model: model_type is "gpt2" but this engine only trains/);
    expect(await page.getByTestId('hub-download').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'models-not-bert.png'), fullPage: true });
    expect(hub.requests.filter((r) => r.startsWith('GET') && r.includes('model.safetensors'))).toEqual([]);
    // The refused inspection of the gated repo is an error answer (503), which the browser logs; nothing else.
    expect(problems.filter((p) => !/Failed to load resource: .* status of 503/.test(p))).toEqual([]);
  });
});
