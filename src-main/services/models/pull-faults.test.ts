import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import type { OpenBlobWriter } from './blob-stream';
import { repoFolder } from './hub-cache';
import { planPull, pullModel } from './pull';
import { repoFromFolder, startTestHub, type TestHub } from './testing';

let hub: TestHub;
let work = '';
const WEIGHTS = 3 << 20;
const HUGE = 26 << 20;
const env = (cache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  HF_ENDPOINT: hub.endpoint,
  HF_HUB_CACHE: cache,
  ...extra,
});
const freshCache = (): string => mkdtempSync(path.join(work, 'cache-'));
const partials = (cache: string): { name: string; size: number }[] => {
  const blobs = path.join(repoFolder(cache, 'acme/big-bert'), 'blobs');
  return readdirSync(blobs)
    .filter((b) => b.endsWith('.incomplete'))
    .map((name) => ({ name, size: statSync(path.join(blobs, name)).size }));
};

// A disk with `room` bytes left: writes what fits, then fails as a full disk does.
const fullDisk =
  (room: number): OpenBlobWriter =>
  async (file, append) => {
    const handle = await open(file, append ? 'a' : 'w');
    let left = room;
    return {
      writev: async (chunks) => {
        for (const chunk of chunks) {
          const fits = chunk.subarray(0, Math.max(0, left));
          if (fits.length > 0) await handle.write(fits);
          left -= fits.length;
          if (fits.length < chunk.length) {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
        }
      },
      close: () => handle.close(),
    };
  };

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'mts-hub-faults-'));
  const bert = writeTinyBert(path.join(work, 'tiny'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 4 });
  const files = new Map(repoFromFolder(bert.dir).files);
  // Weights of a few MB (not a loadable model: these tests are about the transfer).
  const weights = Buffer.alloc(WEIGHTS);
  for (let i = 0; i < weights.length; i += 97) weights[i] = i & 0xff;
  files.set('model.safetensors', weights);
  // Enough 4 MB batches to fill the write queue of a slow disk.
  const hugeFiles = new Map(files);
  const huge = Buffer.alloc(HUGE);
  for (let i = 0; i < huge.length; i += 4093) huge[i] = (i >> 12) & 0xff;
  hugeFiles.set('model.safetensors', huge);
  hub = await startTestHub(
    new Map([
      ['acme/big-bert', { files, commit: 'd'.repeat(40) }],
      ['acme/gated-big', { files, commit: 'e'.repeat(40), token: 'hf_secret' }],
      ['acme/huge-bert', { files: hugeFiles, commit: 'f'.repeat(40) }],
    ]),
  );
});
afterEach(() => {
  for (const k of Object.keys(hub.faults)) delete hub.faults[k as keyof typeof hub.faults];
  hub.requests.length = 0;
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

describe('pullModel under faults', () => {
  it('stops on a full disk with how much room it needs, keeps the part, and resumes after', async () => {
    const cache = freshCache();
    const room = 1 << 20;
    await expect(pullModel('acme/big-bert', { env: env(cache), openWriter: fullDisk(room) })).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(
        new RegExp(
          `disk is full: model\\.safetensors stopped after ${room} of ${WEIGHTS} bytes.*Free at least 3 MB.*pull again to resume`,
        ),
      ),
    });
    expect(partials(cache)).toEqual([expect.objectContaining({ size: room })]);
    expect(
      existsSync(path.join(repoFolder(cache, 'acme/big-bert'), 'snapshots', 'd'.repeat(40), 'model.safetensors')),
    ).toBe(false);
    const resumed = await pullModel('acme/big-bert', { env: env(cache) });
    expect(hub.requests).toContain(`GET /acme/big-bert/resolve/${'d'.repeat(40)}/model.safetensors bytes=${room}-`);
    expect(resumed.totalBytes - resumed.downloadedBytes).toBe(room + (resumed.totalBytes - WEIGHTS));
    expect(partials(cache)).toEqual([]);
  });

  it('stops on a disk that fills in the middle of a large file (not only at its last write)', async () => {
    const cache = freshCache();
    const room = 9 << 20; // two 4 MB batches fit, the third fills the disk
    await expect(pullModel('acme/huge-bert', { env: env(cache), openWriter: fullDisk(room) })).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(new RegExp(`disk is full: model\\.safetensors stopped after ${room} of ${HUGE}`)),
    });
    const blobs = path.join(repoFolder(cache, 'acme/huge-bert'), 'blobs');
    expect(
      readdirSync(blobs)
        .filter((b) => b.endsWith('.incomplete'))
        .map((b) => statSync(path.join(blobs, b)).size),
    ).toEqual([room]);
  });

  it('cancels mid-way on its signal, keeps the part as .incomplete, and a later pull resumes it', async () => {
    const cache = freshCache();
    hub.faults.bytesPerSec = 2 << 20;
    const stop = new AbortController();
    const seen: number[] = [];
    await expect(
      pullModel('acme/big-bert', {
        env: env(cache),
        signal: stop.signal,
        onProgress: (p) => {
          seen.push(p.doneBytes);
          if (p.file === 'model.safetensors' && p.doneBytes > 300_000) stop.abort();
        },
      }),
    ).rejects.toMatchObject({
      code: 'cancelled',
      message: expect.stringMatching(/cancelled during model\.safetensors/),
    });
    const [part] = partials(cache);
    expect(part!.size).toBeGreaterThan(0);
    expect(part!.size).toBeLessThan(WEIGHTS);
    const plan = await planPull('acme/big-bert', { env: env(cache) });
    expect(plan.cachedBytes).toBe(plan.totalBytes - WEIGHTS + part!.size);
    delete hub.faults.bytesPerSec;
    const resumed = await pullModel('acme/big-bert', { env: env(cache) });
    expect(resumed.downloadedBytes).toBe(WEIGHTS - part!.size);
    expect(partials(cache)).toEqual([]);
  });

  it('keeps every byte in order when the disk is slower than the network (the socket waits for it)', async () => {
    const cache = freshCache();
    let writes = 0;
    const slowDisk: OpenBlobWriter = async (file, append) => {
      const handle = await open(file, append ? 'a' : 'w');
      return {
        writev: async (chunks) => {
          writes++;
          await new Promise((r) => setTimeout(r, 40));
          await handle.writev(chunks as Buffer[]);
        },
        close: () => handle.close(),
      };
    };
    const pulled = await pullModel('acme/huge-bert', { env: env(cache), openWriter: slowDisk });
    expect(pulled.downloadedBytes).toBe(pulled.totalBytes);
    expect(writes).toBeGreaterThanOrEqual(HUGE / (4 << 20));
    expect(statSync(path.join(pulled.dir, 'model.safetensors')).size).toBe(HUGE);
  });

  it('starts a file over when the server ignores the Range of a resume, and still verifies it', async () => {
    const cache = freshCache();
    hub.faults.cutAfter = { file: 'model.safetensors', bytes: 100_000 };
    await expect(pullModel('acme/big-bert', { env: env(cache) })).rejects.toThrow(/pull again to resume/);
    expect(partials(cache)[0]!.size).toBeGreaterThan(0);
    hub.faults.ignoreRange = true;
    const pulled = await pullModel('acme/big-bert', { env: env(cache) });
    // The small files came whole the first time; the weights came again from their first byte.
    expect(pulled.downloadedBytes).toBe(WEIGHTS);
    expect(hub.requests.filter((r) => r.includes('model.safetensors bytes='))).toHaveLength(1);
    expect(partials(cache)).toEqual([]);
  });

  it('verifies a large file on the hashing thread: a resume hashes the kept part there, a tampered byte is caught', async () => {
    const cache = freshCache();
    hub.faults.cutAfter = { file: 'model.safetensors', bytes: 5 << 20 };
    await expect(pullModel('acme/huge-bert', { env: env(cache) })).rejects.toThrow(/pull again to resume/);
    const resumed = await pullModel('acme/huge-bert', { env: env(cache) });
    expect(resumed.totalBytes - resumed.downloadedBytes).toBeGreaterThanOrEqual(5 << 20);
    const other = freshCache();
    hub.faults.tamper = 'model.safetensors';
    await expect(pullModel('acme/huge-bert', { env: env(other) })).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/does not match the hub's sha256/),
    });
    expect(
      readdirSync(path.join(repoFolder(other, 'acme/huge-bert'), 'blobs')).some((b) => b.endsWith('.incomplete')),
    ).toBe(false);
  });

  it('asks for each file with HEAD when the file list has no sizes, and takes chunked bodies', async () => {
    hub.faults.noBlobMeta = true;
    hub.faults.chunked = true;
    const pulled = await pullModel('acme/big-bert', { env: env(freshCache()) });
    expect(pulled.downloadedBytes).toBe(pulled.totalBytes);
    expect(hub.requests.filter((r) => r.startsWith('HEAD')).length).toBeGreaterThanOrEqual(3);
  });

  it('follows the redirect to file storage without sending the token there', async () => {
    hub.faults.redirectLfs = true;
    const pulled = await pullModel('acme/gated-big', { env: env(freshCache(), { HF_TOKEN: 'hf_secret' }) });
    expect(pulled.downloadedBytes).toBe(pulled.totalBytes);
    expect(hub.requests).toContain(`GET /acme/gated-big/resolve/${'e'.repeat(40)}/model.safetensors (token)`);
    expect(hub.requests).toContain(`GET /storage/acme/gated-big/resolve/${'e'.repeat(40)}/model.safetensors`);
  });

  it('plans a pull: the size of what it would fetch, before fetching anything', async () => {
    const cache = freshCache();
    const plan = await planPull('acme/big-bert', { env: env(cache) });
    expect(plan.files.map((f) => f.name)).toEqual([
      'config.json',
      'vocab.txt',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'model.safetensors',
    ]);
    expect(plan.totalBytes).toBe(plan.files.reduce((n, f) => n + f.meta.size, 0));
    expect(plan.totalBytes).toBeGreaterThan(WEIGHTS);
    expect(plan.cachedBytes).toBe(0);
    expect(hub.requests.filter((r) => r.startsWith('GET /acme'))).toEqual([]);
  });
});
