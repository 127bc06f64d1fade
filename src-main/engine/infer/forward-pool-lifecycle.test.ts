// The pool's life outside the happy path, with stand-in workers that speak its protocol (no model needed):
// slow closes, a worker dying mid-batch or while opening, double release, and whether a plain Node process
// (mts predict, bench:infer: no vitest handles keeping the event loop alive) exits when it should.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createForwardPool } from './forward-pool';
import type { BatchFeeds } from './ports';

const root = mkdtempSync(join(tmpdir(), 'mts-pool-life-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const POOL_MODULE = join(dirname(fileURLToPath(import.meta.url)), 'forward-pool.ts');

/** Writes a stand-in worker: `onRun` and `onClose` are statements run with the request `m` in scope. */
function standIn(name: string, o: { onInit?: string; onRun?: string; onClose?: string }): string {
  const file = join(root, `${name}.mjs`);
  const reply = (type: string): string => `parentPort.postMessage({ type: '${type}' })`;
  writeFileSync(
    file,
    [
      `import { parentPort } from 'node:worker_threads';`,
      `parentPort.on('message', (m) => {`,
      `  if (m.type === 'init') { ${o.onInit ?? reply('ready')}; }`,
      `  if (m.type === 'run') { ${o.onRun ?? `parentPort.postMessage({ type: 'done', id: m.id, outputs: {} })`}; }`,
      `  if (m.type === 'close') { ${o.onClose ?? reply('closed')}; }`,
      `});`,
    ].join('\n'),
  );
  return file;
}

const ids = new BigInt64Array(1);
const FEEDS: BatchFeeds = { batch: 1, seq: 1, inputIds: ids, attentionMask: ids, tokenTypeIds: ids };
const WANT = { sentenceEmbedding: false };

// Closing a real MiniLM session takes a while; the stand-in takes 200 ms.
const slowClose = standIn('slow-close', {
  onClose: `setTimeout(() => parentPort.postMessage({ type: 'closed' }), 200)`,
});
// Batch 0 kills its worker (an uncaught exception in the thread); the others answer after 300 ms.
const crashing = standIn('crash', {
  onRun:
    `if (m.id === 0) setTimeout(() => { throw new Error('boom in worker'); }, 50); ` +
    `else setTimeout(() => parentPort.postMessage({ type: 'done', id: m.id, outputs: {} }), 300)`,
});

/** Runs `lines` as a plain Node module (through tsx) with the pool and FEEDS in scope; its stdout, stderr, exit. */
function plainNode(lines: readonly string[]) {
  const script = join(root, `plain-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(
    script,
    [
      `import { createForwardPool } from ${JSON.stringify(POOL_MODULE)};`,
      `const ids = new BigInt64Array(1);`,
      `const feeds = { batch: 1, seq: 1, inputIds: ids, attentionMask: ids, tokenTypeIds: ids };`,
      `const want = { sentenceEmbedding: false };`,
      ...lines,
    ].join('\n'),
  );
  return spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
}

describe('forward pool lifecycle', () => {
  // Workers that have run a batch went back to idle (unref'd): release() must hold the process until they close.
  it('keeps a plain Node process alive until release() has closed every worker', () => {
    const run = plainNode([
      `const pool = await createForwardPool(new Uint8Array(1), { workers: 2, script: ${JSON.stringify(slowClose)} });`,
      `await Promise.all([1, 2, 3].map(() => pool.forward(feeds, want)));`,
      `await pool.release();`,
      `console.log('released');`,
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('released');
    expect(run.status).toBe(0);
  }, 40_000);

  it('fails every batch once a worker dies, says why, stops the other workers, and releases later', async () => {
    const pool = await createForwardPool(new Uint8Array(1), { workers: 2, script: crashing });
    const settled = await Promise.allSettled([0, 1, 2].map(() => pool.forward(FEEDS, WANT)));
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect(String((s as PromiseRejectedResult).reason)).toMatch(/A prediction worker crashed: boom in worker/);
    }
    expect(pool.broken()).toBe(true);
    await expect(pool.forward(FEEDS, WANT)).rejects.toThrow(/crashed: boom in worker/);
    await new Promise((r) => setTimeout(r, 300)); // the dead worker's 'exit' has long passed
    const t0 = performance.now();
    await pool.release();
    expect(performance.now() - t0).toBeLessThan(2_000);
  }, 20_000);

  it('lets a plain Node process exit after a worker died, even without release()', () => {
    const run = plainNode([
      `const pool = await createForwardPool(new Uint8Array(1), { workers: 2, script: ${JSON.stringify(crashing)} });`,
      `const r = await Promise.allSettled([0, 1].map(() => pool.forward(feeds, want)));`,
      `console.log(r.map((x) => x.status).join(','), pool.broken());`,
    ]);
    expect(run.stdout.trim()).toBe('rejected,rejected true');
    expect(run.status).toBe(0);
  }, 40_000);

  it('refuses to start when a worker exits while opening the model', async () => {
    const exits = standIn('exit-on-init', { onInit: 'process.exit(3)' });
    await expect(createForwardPool(new Uint8Array(1), { workers: 2, script: exits })).rejects.toThrow(
      /A prediction worker exited \(code 3\) while opening the model/,
    );
  }, 20_000);

  it('gives every release() call the same wait, until the workers have closed', async () => {
    const pool = await createForwardPool(new Uint8Array(1), { workers: 2, script: slowClose });
    const t0 = performance.now();
    const [a, b] = [pool.release(), pool.release()];
    expect(a).toBe(b);
    await b;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    expect(pool.broken()).toBe(false);
    await expect(pool.forward(FEEDS, WANT)).rejects.toThrow(/released; load the model again/);
  }, 20_000);
});
