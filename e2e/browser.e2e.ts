import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from './support/browser';
import { CHROMIUM, REPO, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

const NAV = ['Datasets', 'Annotate', 'Train', 'Runs', 'Playground', 'Export', 'About this machine'];
const cudaLibs = existsSync(
  path.join(REPO, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'),
);

let app: ServedApp;
let browser: Browser;
/** Console errors and CSP violations seen on pages that should have none. */
const pageProblems: string[] = [];

/** Chromium logs every non-2xx fetch; API calls answered with a 4xx error result are shown to the user, not bugs. */
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

function watch(page: Page): void {
  page.on('console', (message) => {
    if (message.type() === 'error' && !EXPECTED_HTTP_ERROR.test(message.text())) pageProblems.push(message.text());
  });
  page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
}

async function openApp(hash = ''): Promise<Page> {
  const page = await browser.context.newPage();
  watch(page);
  await page.goto(app.url + hash);
  return page;
}

function api(method: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${app.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set MTS_CHROMIUM.`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
});

beforeEach(() => {
  pageProblems.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('browser mode', () => {
  it('shows the navigation, hides the token from the URL bar, and every screen renders', async () => {
    const page = await openApp();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const label of NAV) await expect.poll(() => nav.getByRole('link', { name: label }).isVisible()).toBe(true);
    expect(page.url()).not.toContain('token=');
    for (const label of NAV) {
      await nav.getByRole('link', { name: label }).click();
      await expect.poll(() => nav.getByRole('link', { name: label }).getAttribute('aria-current')).toBe('page');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).first().isVisible()).toBe(true);
      if (label === 'About this machine') {
        await page.locator('[data-provider="cpu"][data-status="available"]').waitFor({ timeout: 30_000 });
      } else if (label === 'Datasets') {
        await page.getByTestId('project-name').waitFor();
      }
      // Every screen renders something real: its own content, or the honest "not built yet" card.
      await expect.poll(async () => ((await page.locator('main').textContent()) ?? '').length).toBeGreaterThan(40);
      expect(await page.getByText('This screen crashed').count()).toBe(0);
      await page.screenshot({
        path: path.join(SCREENSHOTS, `${label.toLowerCase().replace(/\s+/g, '-')}.png`),
        fullPage: true,
      });
    }
    // Reloading keeps working: the token lives in sessionStorage for this tab.
    await page.reload();
    await expect.poll(() => nav.isVisible()).toBe(true);
    await page.close();
    expect(pageProblems).toEqual([]);
  });

  it('creates a project, previews and imports a CSV, and shows the dataset with its class counts', async () => {
    const csv = path.join(app.dataDir, 'headlines.csv');
    const labels = ['World', 'Sports', 'Business', 'Sci/Tech'];
    const rows = Array.from(
      { length: 60 },
      (_, i) => `${labels[i % 4]},"Headline ${i}: ${labels[i % 4]} story number ${i * 3}"`,
    );
    writeFileSync(
      csv,
      ['label,text', ...rows, 'Weather,"a label outside the list is still imported"', ',""'].join('\n'),
    );

    const page = await openApp();
    await page.getByTestId('project-name').fill('Headlines');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('no-datasets').isVisible()).toBe(true);

    // Pick the file with the backend file picker: start in its folder, click it; the preview follows.
    await page.getByTestId('import-path').fill(`${app.dataDir}/`);
    await page.getByRole('button', { name: 'Browse…' }).click();
    const picker = page.getByTestId('file-picker');
    await picker.getByRole('button', { name: /headlines\.csv/ }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'datasets-file-picker.png') });
    await picker.getByRole('button', { name: /headlines\.csv/ }).click();
    await expect.poll(() => page.getByTestId('import-path').inputValue()).toBe(csv);
    await expect.poll(() => page.getByTestId('preview-summary').textContent()).toMatch(/CSV[\s\S]*label, text/);
    await page.getByTestId('import-run').click();
    await expect
      .poll(() => page.getByTestId('import-summary').textContent(), { timeout: 20_000 })
      .toMatch(/Imported 61 examples/);
    await expect.poll(() => page.getByTestId('datasets').textContent()).toMatch(/headlines\.csv[\s\S]*61/);
    const classes = page.getByTestId('class-counts');
    await expect.poll(() => classes.locator('tr', { hasText: 'World' }).locator('td').last().textContent()).toBe('15');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'datasets-imported.png'), fullPage: true });

    // A bad path is a readable error, and the screen stays usable.
    await page.getByRole('button', { name: 'Import another file' }).click();
    await page.getByTestId('import-path').fill('relative/file.csv');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByTestId('error-notice').first().textContent()).toMatch(/absolute/i);
    // A missing file is titled as what happened, not as a refused path.
    await page.getByTestId('import-path').fill(path.join(app.dataDir, 'no-such-file.csv'));
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByTestId('error-title').first().textContent()).toBe('File not found');
    await page.close();
    expect(pageProblems).toEqual([]);
  });

  it('About lists versions, cpu as available with its ORT version, and unavailable providers with their error text', async () => {
    const page = await openApp('');
    await page.goto(`${app.origin}/#/about`);
    await expect.poll(() => page.getByTestId('ort-version').textContent(), { timeout: 15_000 }).toBe('1.30.0');
    const row = (provider: string) => page.locator(`[data-provider="${provider}"]`);
    await expect
      .poll(
        async () =>
          Promise.all(['cpu', 'webgpu', 'cuda', 'dml', 'coreml'].map((p) => row(p).getAttribute('data-status'))),
        {
          timeout: 45_000,
        },
      )
      .not.toContain('pending');
    expect(await row('cpu').getAttribute('data-status')).toBe('available');
    expect(await row('cpu').textContent()).toMatch(/onnxruntime 1\.30\.0/);
    for (const provider of ['webgpu', 'cuda', 'dml', 'coreml']) {
      const status = await row(provider).getAttribute('data-status');
      expect(['available', 'unavailable'], `${provider} probe neither ran nor failed cleanly`).toContain(status);
      if (status === 'unavailable')
        expect((await row(provider).locator('pre.error-text').textContent())?.trim()).not.toBe('');
    }
    if (!cudaLibs) {
      expect(await row('cuda').getAttribute('data-status')).toBe('unavailable');
      expect(await row('cuda').locator('pre.error-text').textContent()).toMatch(/Failed to load shared library/);
    }
    if (process.platform === 'linux') {
      expect(await row('dml').locator('pre.error-text').textContent()).toMatch(/backend not found/);
    }
    // Without a GPU (CI: Mesa's lavapipe), WebGPU runs on a software rasterizer and About says so.
    if ((await row('webgpu').getAttribute('data-status')) === 'available' && !hasGpuDevice()) {
      await expect
        .poll(() => row('webgpu').getByTestId('software-adapter').isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect(await row('webgpu').textContent()).toMatch(/software adapter/);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'about-probed.png'), fullPage: true });
    // A string expression: this file is type-checked without the DOM lib.
    const background = () => page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background(), 'the dark theme should follow prefers-color-scheme').not.toBe(light);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'about-probed-dark.png'), fullPage: true });
    await page.close();
    expect(pageProblems).toEqual([]);
  });

  it('refuses API calls without the token (401), from another Origin (403), and bad payloads (400 + zod message)', async () => {
    const noToken = await api('system.about', {}, {});
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    const foreign = await api('system.about', {}, { 'x-mts-token': app.token, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);

    const bad = await api('system.probeProviders', { providers: ['tpu'] }, { 'x-mts-token': app.token });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.message).toMatch(/Invalid option[\s\S]*providers/);
  });

  it('refuses a cross-origin page in a real browser', async () => {
    const page = await browser.context.newPage();
    await page.goto('about:blank');
    const outcome = await page.evaluate(async (target) => {
      try {
        const res = await fetch(`${target}/api/system.about`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-mts-token': 'guess' },
          body: '{}',
        });
        return `status ${res.status}`;
      } catch (error) {
        return `blocked: ${String(error)}`;
      }
    }, app.origin);
    expect(outcome).toMatch(/^blocked|^status 40[13]/);
    await page.close();
  });

  it('shows a backend error as a readable message, not a blank screen', async () => {
    const page = await browser.context.newPage();
    await page.route('**/api/system.about', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({
          ok: false,
          error: {
            code: 'internal',
            message: 'Disk full while reading versions (injected by the e2e test).',
            method: 'system.about',
          },
        }),
      }),
    );
    await page.goto(`${app.url.split('#')[0]}#token=${app.token}`);
    await page.goto(`${app.origin}/#/about`);
    const notice = page.getByTestId('error-notice').first();
    await expect
      .poll(() => notice.textContent(), { timeout: 15_000 })
      .toMatch(/Something went wrong[\s\S]*Disk full while reading versions/);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'error-backend.png'), fullPage: true });

    // A proxy or crashed server answering garbage also reads as a message.
    await page.unroute('**/api/system.about');
    await page.route('**/api/system.about', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
    );
    await notice.getByRole('button', { name: 'Try again' }).click();
    await expect
      .poll(() => page.getByTestId('error-notice').first().textContent())
      .toMatch(/Cannot reach the backend[\s\S]*502/);
    await page.close();
  });

  it('explains what to do when the page is opened without the token', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${app.origin}/#/about`);
    await expect
      .poll(() => page.getByTestId('error-notice').first().textContent(), { timeout: 15_000 })
      .toMatch(/Not authorised[\s\S]*#token=/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'error-no-token.png'), fullPage: true });
    // Pasting the URL with the token into this open tab works at once: no reload, the screen loads again.
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));
    await page.evaluate(`window.location.hash = '#token=${app.token}'`);
    await expect.poll(() => page.getByTestId('error-notice').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.url()).not.toContain('token=');
    expect(loads).toEqual([]);
    await page.close();
  });
});

// A render node means a GPU driver is present (hardware WebGPU is then possible); none: only software adapters.
function hasGpuDevice(): boolean {
  return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
}
