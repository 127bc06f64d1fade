import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBertEncoder } from '../../engine/model';
import { writeTinyBert } from '../../engine/model/testing';
import { listCachedModels, repoFolder } from './hub-cache';
import { pullModel } from './pull';
import { resolveModelArg } from './resolve';
import { repoFromFolder, startTestHub, type TestHub } from './testing';

let hub: TestHub;
let work = '';
const env = (cache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  HF_ENDPOINT: hub.endpoint,
  HF_HUB_CACHE: cache,
  ...extra,
});
const freshCache = (): string => mkdtempSync(path.join(work, 'cache-'));

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'mts-hub-'));
  const bert = writeTinyBert(path.join(work, 'tiny'), {
    layers: 1,
    hidden: 16,
    heads: 2,
    intermediate: 32,
    seed: 4,
  }).dir;
  const gptFiles = new Map(repoFromFolder(bert).files);
  gptFiles.set('config.json', Buffer.from(JSON.stringify({ model_type: 'gpt2', n_layer: 2 })));
  hub = await startTestHub(
    new Map([
      ['acme/tiny-bert', repoFromFolder(bert)],
      ['acme/gated-bert', { ...repoFromFolder(bert, 'c'.repeat(40)), token: 'hf_secret' }],
      ['acme/tiny-gpt', { files: gptFiles, commit: 'b'.repeat(40) }],
    ]),
  );
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

describe('pullModel', () => {
  it('lays a verified model out as the Hugging Face cache does, and serves it offline afterwards', async () => {
    const cache = freshCache();
    const seen: number[] = [];
    const pulled = await pullModel('acme/tiny-bert', { env: env(cache), onProgress: (p) => seen.push(p.doneBytes) });
    const folder = repoFolder(cache, 'acme/tiny-bert');
    expect(pulled.dir).toBe(path.join(folder, 'snapshots', 'a'.repeat(40)));
    expect(readFileSync(path.join(folder, 'refs', 'main'), 'utf8')).toBe('a'.repeat(40));
    expect(lstatSync(path.join(pulled.dir, 'model.safetensors')).isSymbolicLink()).toBe(true);
    expect(readdirSync(path.join(folder, 'blobs')).some((b) => b.endsWith('.incomplete'))).toBe(false);
    expect(loadBertEncoder(pulled.dir).config.dims.hiddenSize).toBe(16);
    expect(pulled.downloadedBytes).toBe(pulled.totalBytes);
    expect(seen.at(-1)).toBe(pulled.totalBytes);
    expect(listCachedModels(cache)).toMatchObject([{ repoId: 'acme/tiny-bert', revisions: ['main'] }]);

    const again = await pullModel('acme/tiny-bert', { env: env(cache) });
    expect(again.downloadedBytes).toBe(0);
    const offline = await pullModel('acme/tiny-bert', { env: env(cache, { HF_HUB_OFFLINE: '1' }) });
    expect(offline.dir).toBe(pulled.dir);
    const noNetwork = await pullModel('acme/tiny-bert', { env: { ...env(cache), HF_ENDPOINT: 'http://127.0.0.1:9' } });
    expect(noNetwork.dir).toBe(pulled.dir);
    expect(await resolveModelArg('acme/tiny-bert', { env: env(cache, { HF_HUB_OFFLINE: '1' }) })).toBe(pulled.dir);
  });

  it('resumes an interrupted transfer and fetches only the missing bytes', async () => {
    const cache = freshCache();
    hub.faults.cutAfter = { file: 'model.safetensors', bytes: 1000 };
    await expect(pullModel('acme/tiny-bert', { env: env(cache) })).rejects.toThrow(
      /stopped after \d+ of \d+ bytes.*pull again to resume/,
    );
    const blobs = path.join(repoFolder(cache, 'acme/tiny-bert'), 'blobs');
    const partial = readdirSync(blobs).find((b) => b.endsWith('.incomplete'));
    expect(partial && statSync(path.join(blobs, partial)).size).toBe(1000);
    hub.requests.length = 0;
    const resumed = await pullModel('acme/tiny-bert', { env: env(cache) });
    expect(hub.requests.some((r) => /GET .*model\.safetensors bytes=1000-$/.test(r))).toBe(true);
    expect(resumed.downloadedBytes).toBeLessThan(resumed.totalBytes);
    expect(loadBertEncoder(resumed.dir).config.dims.numLayers).toBe(1);
  });

  it('deletes a file whose bytes do not match the hub hash and never links it', async () => {
    const cache = freshCache();
    hub.faults.tamper = 'model.safetensors';
    try {
      await expect(pullModel('acme/tiny-bert', { env: env(cache) })).rejects.toMatchObject({
        code: 'io',
        message: expect.stringMatching(/model\.safetensors .* does not match the hub's sha256.*deleted/),
      });
    } finally {
      delete hub.faults.tamper;
    }
    const folder = repoFolder(cache, 'acme/tiny-bert');
    expect(readdirSync(path.join(folder, 'blobs')).filter((b) => b.endsWith('.incomplete'))).toEqual([]);
    expect(existsSync(path.join(folder, 'snapshots', 'a'.repeat(40), 'model.safetensors'))).toBe(false);
  });

  it('refuses unknown, gated-without-token and non-BERT repos with what to do', async () => {
    const cache = freshCache();
    await expect(pullModel('acme/missing', { env: env(cache) })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/no model 'acme\/missing'/),
    });
    await expect(pullModel('acme/gated-bert', { env: env(cache) })).rejects.toThrow(/gated or private.*HF_TOKEN/);
    await expect(pullModel('acme/gated-bert', { env: env(cache, { HF_TOKEN: 'wrong' }) })).rejects.toThrow(
      /check that the token you set is right/,
    );
    expect((await pullModel('acme/gated-bert', { env: env(cache, { HF_TOKEN: 'hf_secret' }) })).commit).toBe(
      'c'.repeat(40),
    );
    hub.requests.length = 0;
    await expect(pullModel('acme/tiny-gpt', { env: env(cache) })).rejects.toThrow(
      /not a BERT-family model, so its weights were not downloaded/,
    );
    expect(hub.requests.filter((r) => r.startsWith('GET') && r.includes('model.safetensors'))).toEqual([]);
    await expect(pullModel('not a repo', { env: env(cache) })).rejects.toThrow(/org\/name/);
    await expect(pullModel('acme/tiny-bert', { env: env(freshCache(), { HF_HUB_OFFLINE: '1' }) })).rejects.toThrow(
      /not in the model cache/,
    );
  });
});
