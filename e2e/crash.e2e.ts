// Nothing lost on a crash, in browser mode: the app is killed with SIGKILL in the middle of a training run
// (its worker dies with it); started again on the same data folder, the Runs screen shows the run as
// interrupted and resumable, and Resume training finishes it from its last resume point.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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
const problems: string[] = [];

// A resume point on disk: some run folder under the data folder has resume/state.json.
function hasResumePoint(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    if (entry.name === 'resume' && existsSync(path.join(sub, 'state.json'))) return true;
    if (hasResumePoint(sub)) return true;
  }
  return false;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp({ keepData: true });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('a crash mid-training (browser mode)', () => {
  it('is resumable from the Runs screen after the app is killed and started again', async () => {
    const modelDir = writeTinyBert(path.join(app.dataDir, 'tiny-bert'), {
      layers: 2,
      hidden: 32,
      heads: 2,
      seed: 5,
    }).dir;
    const projectId = (await app.call<{ id: number }>('projects.create', { name: 'Crash demo' })).id;
    const rows = Array.from(
      { length: 48 },
      (_, i) =>
        `"${i % 2 ? 'Shares rose after earnings' : 'The team won the match'} (report ${i}).",${i % 2 ? 'Business' : 'Sports'}`,
    );
    const csv = path.join(app.dataDir, 'crash.csv');
    writeFileSync(csv, `text,label\n${rows.join('\n')}\n`);
    const datasetId = (
      await app.call<{ datasetId: number }>('datasets.import', {
        projectId,
        path: csv,
        split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 7 },
      })
    ).datasetId;
    const { run } = await app.call<{ run: { id: number } }>('train.start', {
      projectId,
      datasetId,
      modelDir,
      name: 'crashed',
      preset: 'heads-only',
      epochs: 400,
      batchSize: 4,
      lr: 0.001,
      maxLength: 32,
      device: 'cpu',
      checkpointEverySec: 0,
    });
    // Kill the whole app (server and training worker) once a resume point exists, mid-run.
    await expect.poll(() => hasResumePoint(app.dataDir), { timeout: 60_000, interval: 100 }).toBe(true);
    const dataDir = app.dataDir;
    const exited = new Promise((done) => app.process.once('exit', done));
    app.process.kill('SIGKILL');
    await exited;

    app = await serveApp({ dataDir, keepData: false });
    const [after] = await app.call<{ id: number; status: string }[]>('runs.list', { projectId });
    expect(after).toMatchObject({ id: run.id, status: 'interrupted' });
    // The best checkpoint written before the crash is on record (it is recorded as it is written).
    const detailBefore = await app.call<{ artifacts: { kind: string }[] }>('runs.get', { runId: run.id });
    expect(detailBefore.artifacts.map((a) => a.kind)).toContain('checkpoint');
    page = await openPage(browser, app.url, problems);
    await page.goto(`${app.origin}/#/runs`);
    const detail = page.getByTestId('run-detail');
    await expect.poll(() => detail.getAttribute('data-run'), { timeout: 15_000 }).toBe(String(run.id));
    await expect.poll(() => detail.textContent(), { timeout: 15_000 }).toMatch(/Resume training/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runs-interrupted.png'), fullPage: true });
    expect(await page.textContent('body')).toMatch(
      /The best checkpoint is saved .* interrupted before its final report/,
    );
    await page.getByTestId('resume-run').click();
    const live = page.getByTestId('live-run');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 30_000 }).toMatch(/queued|running/);
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 240_000 }).toBe('completed');
    const [done] = await app.call<{ id: number; status: string }[]>('runs.list', { projectId });
    expect(done).toMatchObject({ id: run.id, status: 'completed' });
    expect(problems).toEqual([]);
  }, 360_000);
});
