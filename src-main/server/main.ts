/**
 * Standalone browser-mode entry (out/main/server.js): `node out/main/server.js [--port N] [--data-dir DIR]`. Prints the URL
 * with the token and serves until SIGINT/SIGTERM. `mts serve` does the same and can open a browser.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { defaultDataDir } from './data-dir';
import { launchBrowserMode } from './launch';
import { builtLayout } from './layout';

const portSchema = z.coerce.number().int().min(0).max(65_535);

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, 'data-dir': { type: 'string' } },
  strict: true,
});
const port = portSchema.safeParse(values.port);
if (!port.success) {
  console.error(`--port must be an integer 0..65535 (0 = any free port); got "${values.port}".`);
  process.exit(2);
}
const dataDir = values['data-dir'] ?? defaultDataDir();
const server = await launchBrowserMode(builtLayout(import.meta.url), { port: port.data, dataDir });
console.log(`Multitask Studio is serving on ${server.url}`);
const stop = (): void => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
