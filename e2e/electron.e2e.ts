import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { electronBinary, OUT_DIR, SCREENSHOTS } from './support/paths';

const binary = electronBinary();
if (binary === null) {
  console.warn(
    '[e2e] Electron spec skipped: no Electron binary in node_modules/electron/dist (the offline install skips ' +
      'the download). With internet: `node node_modules/electron/install.js`, then run the e2e tests again.',
  );
}

describe.skipIf(binary === null)('desktop app (Electron)', () => {
  it('opens the window with the sandboxed renderer and the same UI', async () => {
    const app = await electron.launch({ executablePath: binary ?? '', args: [path.join(OUT_DIR, 'main/index.js')] });
    try {
      const page = await app.firstWindow();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      // Exactly the contract is exposed; no Node in the page.
      expect(await page.evaluate(() => Object.keys((globalThis as { api?: object }).api ?? {}).sort())).toEqual([
        'invoke',
        'onEvent',
      ]);
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      await page.getByRole('link', { name: 'About this machine' }).click();
      await page.locator('[data-provider="cpu"][data-status="available"]').waitFor({ timeout: 30_000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'electron-about.png') });
    } finally {
      await app.close();
    }
  });
});
