// The Annotate screen in browser mode: a slice of AG News dev (plus two rows with emoji and CJK) imported
// through the API, silver labelling from the UI, keyboard edits with undo/redo, accept, filters, label-all,
// and a 20,000-row dataset that scrolls with only the visible rows rendered. Skips without ../shared.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type Browser } from './support/browser';
import { REPO, SCREENSHOTS } from './support/paths';
import { serveApp, type ServedApp } from './support/serve';

const AG_DEV = path.resolve(REPO, '../shared/data/ag_news/dev.csv');
const hasData = existsSync(AG_DEV);
if (!hasData) console.warn(`[annotate.e2e] skipped: ${AG_DEV} is missing (the shared AG News data).`);
/** Rows written by the test so offsets after emoji and in CJK text are checked on screen. */
const CRAFTED = [
  'Business,"Acme 🤦🏼‍♂️ opens a 東京 office, says Acme chief"',
  'Business,"Shares of Acme rose after the 東京 opening"',
];
const SLICE_ROWS = 118;

let app: ServedApp;
let browser: Browser;
const problems: string[] = [];

async function importCsv(projectId: number, name: string, lines: readonly string[]): Promise<number> {
  const file = path.join(app.dataDir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const summary = await app.call<{ datasetId: number }>('datasets.import', {
    projectId,
    path: file,
    split: { mode: 'stratified', train: 8, dev: 1, test: 1, seed: 3 },
  });
  return summary.datasetId;
}

async function openAnnotate(): Promise<Page> {
  const page = await openPage(browser, app.url, problems);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Annotate' }).click();
  return page;
}

/**
 * Selects text [from, to) of the open example the way a mouse drag does, then releases the button. A string
 * expression: this file is type-checked without the DOM lib.
 */
const DRAG_SELECT = `({ from, to, altKey }) => {
  const root = document.querySelector('[data-testid="example-text"]');
  if (root === null) throw new Error('no example text');
  const point = (at) => {
    for (const el of root.querySelectorAll('[data-start]')) {
      const start = Number(el.dataset.start);
      const node = el.firstChild;
      if (node !== null && at >= start && at <= start + node.textContent.length) return [node, at - start];
    }
    throw new Error('offset ' + at + ' is not in the text');
  };
  const range = document.createRange();
  range.setStart(...point(from));
  range.setEnd(...point(to));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  root.dispatchEvent(new MouseEvent('mouseup', { bubbles: true, altKey }));
}`;

async function dragSelect(page: Page, from: number, to: number, altKey = false): Promise<void> {
  await page.evaluate(`(${DRAG_SELECT})(${JSON.stringify({ from, to, altKey })})`);
}

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
const listCount = (page: Page): Promise<string | null> => page.getByTestId('list-count').textContent();
const mark = (page: Page, source: string, type: string) =>
  page.locator(`[data-testid="example-text"] mark[data-source="${source}"][data-type="${type}"]`);

beforeAll(async () => {
  if (!hasData) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe.skipIf(!hasData)('Annotate screen', () => {
  it(
    'labels silver spans, edits with the keyboard, undoes, redoes, accepts, and filters the list',
    { timeout: 150_000 },
    async () => {
      const lines = readFileSync(AG_DEV, 'utf8').split('\n');
      const project = await app.call<{ id: number }>('projects.create', { name: 'News review' });
      await importCsv(project.id, 'ag-dev-slice.csv', [...lines.slice(0, SLICE_ROWS + 1), ...CRAFTED]);
      const total = SLICE_ROWS + CRAFTED.length;

      const page = await openAnnotate();
      await expect.poll(() => listCount(page)).toMatch(new RegExp(`^${total} examples`));
      await expect.poll(() => page.getByTestId('review-progress').textContent()).toMatch(`0 / ${total} reviewed`);
      // Only the rows in view are in the DOM.
      expect(await page.getByTestId('example-row').count()).toBeLessThan(total);

      await page.getByTestId('run-labeler').click();
      await expect
        .poll(() => page.getByTestId('labeler-summary').textContent(), { timeout: 60_000 })
        .toMatch(new RegExp(`Labelled ${total} examples: \\d+ silver spans`));
      await page.getByTestId('filter-source').selectOption('silver');
      await expect.poll(async () => Number((await listCount(page))?.split(' ')[0])).toBeLessThan(total);
      await expect
        .poll(() => page.locator('[data-testid="example-text"] mark[data-source="silver"]').count())
        .toBeGreaterThan(0);
      await shot(page, 'annotate-silver');

      // The crafted example: select inside "東京" after an emoji and label it LOC with its number key.
      await page.getByTestId('filter-source').selectOption('');
      await page.getByTestId('filter-contains').fill('says Acme chief');
      await page.getByTestId('filter-contains').press('Enter');
      await expect.poll(() => listCount(page)).toMatch(/^1 example/);
      await expect.poll(() => page.getByTestId('example-text').textContent()).toMatch(/^Acme/);
      const text = (CRAFTED[0] ?? '').slice('Business,"'.length, -1);
      const tokyo = text.indexOf('東京');
      // One ideograph selected: the run of CJK characters it is in is the word.
      await dragSelect(page, tokyo, tokyo + 1);
      await expect.poll(() => page.getByTestId('pending-selection').locator('[data-start]').textContent()).toBe('東京');
      await page.keyboard.press('Escape');
      // From "a" to the first ideograph only: the selection grows to whole tokens.
      await dragSelect(page, tokyo - 2, tokyo + 1);
      await expect
        .poll(() => page.getByTestId('pending-selection').locator('[data-start]').textContent())
        .toBe('a 東京');
      await page.keyboard.press('Escape');
      expect(await page.getByTestId('pending-selection').count()).toBe(0);
      await dragSelect(page, tokyo, tokyo + 2);
      const locKey = String(
        (await page.getByTestId('type-choice').allTextContents()).findIndex((t) => t.startsWith('LOC')) + 1,
      );
      await page.keyboard.press(locKey);
      await expect.poll(() => mark(page, 'gold', 'LOC').locator('[data-start]').textContent()).toBe('東京');
      expect(await page.getByTestId('example-text').locator(`[data-start="${tokyo}"]`).count()).toBe(1);

      // Correct it to ORG with the selected span, undo, redo.
      const orgKey = String(
        (await page.getByTestId('type-choice').allTextContents()).findIndex((t) => t.startsWith('ORG')) + 1,
      );
      await page.keyboard.press(orgKey);
      await expect.poll(() => mark(page, 'gold', 'ORG').count()).toBe(1);
      await page.keyboard.press('Control+z');
      await expect.poll(() => page.getByTestId('annotate-notice').textContent()).toMatch(/^Undid: ORG/);
      await expect.poll(() => mark(page, 'gold', 'LOC').count()).toBe(1);
      await page.keyboard.press('Control+Shift+Z');
      await expect.poll(() => mark(page, 'gold', 'ORG').count()).toBe(1);
      await expect
        .poll(() => page.getByTestId('history-entry').first().getAttribute('data-action'))
        .toBe('relabelSpan');

      // Label "Acme" (exact characters with Alt) as ORG, then every other occurrence with L; one undo removes them.
      await dragSelect(page, 0, 4, true);
      await page.keyboard.press(orgKey);
      await expect.poll(() => mark(page, 'gold', 'ORG').count()).toBe(2);
      await page.keyboard.press('l');
      await expect
        .poll(() => page.getByTestId('annotate-notice').textContent())
        .toMatch(/Labelled \d+ more occurrences? of “Acme” as ORG/);
      await expect.poll(() => page.getByTestId('example-row').first().textContent()).toMatch(/says Acme/);
      const added = Number(/Labelled (\d+)/.exec((await page.getByTestId('annotate-notice').textContent()) ?? '')?.[1]);
      await expect.poll(() => mark(page, 'gold', 'ORG').count()).toBe(3); // the second "Acme" in this example
      await page.keyboard.press('Control+z');
      await expect
        .poll(() => page.getByTestId('annotate-notice').textContent())
        .toMatch(/^Undid: ORG "Acme" everywhere/);
      await expect.poll(() => mark(page, 'gold', 'ORG').count()).toBe(2);
      await page.keyboard.press('Control+Shift+Z');
      await expect.poll(() => mark(page, 'gold', 'ORG').count()).toBe(3);
      const entry = page.getByTestId('history-entry').first();
      expect([await entry.getAttribute('data-action'), await entry.textContent()]).toEqual([
        'labelAllOccurrences',
        expect.stringMatching(`${added} changes`),
      ]);
      await page.keyboard.press('?');
      await expect.poll(() => page.getByTestId('key-help').textContent()).toMatch(/Label all other occurrences/);
      await shot(page, 'annotate-keys');
      await page.keyboard.press('Escape');

      // Accept: the example becomes reviewed and the counter moves.
      await page.keyboard.press('a');
      await expect.poll(() => page.getByTestId('example-status').textContent()).toBe('reviewed');
      await expect.poll(() => page.getByTestId('review-progress').textContent()).toMatch(`1 / ${total} reviewed`);
      expect(await page.locator('[data-testid="example-text"] mark[data-source="silver"]').count()).toBe(0);
      await shot(page, 'annotate-example');

      // Status filters follow.
      await page.getByTestId('filter-contains').fill('');
      await page.getByTestId('filter-contains').press('Enter');
      await page.getByTestId('filter-status').selectOption('reviewed');
      await expect.poll(() => listCount(page)).toMatch(/^1 example/);
      await page.getByTestId('filter-status').selectOption('pending');
      await expect.poll(() => listCount(page)).toMatch(new RegExp(`^${total - 1} examples`));
      // j moves to the next example; a history entry reopens the example it changed.
      const firstId = await page.getByTestId('example-view').getAttribute('data-example-id');
      await page.keyboard.press('j');
      await expect.poll(() => page.getByTestId('example-view').getAttribute('data-example-id')).not.toBe(firstId);
      await page.getByTestId('history-entry').filter({ hasText: 'Accepted' }).getByRole('button').click();
      await expect.poll(() => page.getByTestId('example-text').textContent()).toMatch(/^Acme/);
      await expect.poll(() => page.getByTestId('example-status').textContent()).toBe('reviewed');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'annotate-dark');
      await page.close();
      expect(problems).toEqual([]);
    },
  );

  it('scrolls 20,000 examples rendering only the rows in view', async () => {
    const project = await app.call<{ id: number }>('projects.create', { name: 'Big list' });
    const rows = Array.from({ length: 20_000 }, (_, i) => `World,"Row ${i}: headline about place ${i % 97}"`);
    // One 20,000-character text: labelling in it must stay quick.
    const long = `Longform ${Array.from({ length: 3_400 }, (_, i) => `w${String(i).padStart(4, '0')}`).join(' ')} Zeta`;
    const datasetId = await importCsv(project.id, 'big.csv', ['label,text', ...rows, `World,"${long}"`]);
    const page = await openAnnotate();
    await page.getByTestId('annotate-project').selectOption(String(project.id));
    await expect.poll(() => page.getByTestId('annotate-dataset').inputValue()).toBe(String(datasetId));
    await expect.poll(() => listCount(page)).toMatch(/^20,001 examples/);
    const list = page.getByTestId('example-list');
    const started = Date.now();
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await expect
      .poll(() => page.locator('[data-testid="example-row"][data-index="10005"]').textContent())
      .toMatch(/Row \d+/);
    const ms = Date.now() - started;
    const rendered = await page.getByTestId('example-row').count();
    console.log(`[annotate.e2e] 20,000 rows: jump to the middle rendered in ${ms} ms with ${rendered} rows in the DOM`);
    expect(rendered).toBeLessThan(60);
    // Open a row there, then step on with j: the view follows and the list marks the current row.
    await page.locator('[data-testid="example-row"][data-index="10005"]').click();
    await expect.poll(() => page.getByTestId('example-text').textContent()).toMatch(/^Row 10005:/);
    await page.keyboard.press('j');
    await expect.poll(() => page.getByTestId('example-text').textContent()).toMatch(/^Row 10006:/);
    expect(await page.locator('[data-testid="example-row"][data-index="10006"]').getAttribute('class')).toMatch(
      /current/,
    );
    await shot(page, 'annotate-20k');

    await page.getByTestId('filter-contains').fill('Longform');
    await page.getByTestId('filter-contains').press('Enter');
    await expect.poll(() => page.getByTestId('example-text').textContent()).toMatch(/^Longform/);
    const at = long.indexOf('Zeta');
    const labelled = Date.now();
    await dragSelect(page, at + 1, at + 3);
    await page.keyboard.press('1');
    await expect.poll(() => mark(page, 'gold', 'PER').locator('[data-start]').textContent()).toBe('Zeta');
    console.log(`[annotate.e2e] ${long.length}-character text: select + label shown after ${Date.now() - labelled} ms`);
    // Keys typed faster than the edits apply act in order: 2 relabels the span that 1 is still creating.
    await dragSelect(page, 0, 3);
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await expect.poll(() => mark(page, 'gold', 'ORG').locator('[data-start]').textContent()).toBe('Longform');
    expect(await mark(page, 'gold', 'PER').count()).toBe(1);
    await page.close();
    expect(problems).toEqual([]);
  });
});
