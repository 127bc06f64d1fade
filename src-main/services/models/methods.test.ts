import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ModelDownloadInfo, ModelInspection } from '../../../src-preload/contract';
import { writeTinyBert } from '../../engine/model/testing';
import { createDispatcher, type Dispatch } from '../api/dispatch';
import { testTable, type TestTable } from '../app/testing';
import { modelsMethods } from './methods';
import { repoFromFolder, startTestHub, type TestHub } from './testing';

let hub: TestHub;
let fixture: TestTable;
let work = '';
let events: ApiEvent[] = [];
const WEIGHTS = 2 << 20;

function dispatcher(env: NodeJS.ProcessEnv, room = Infinity): Dispatch {
  const pullOptions = Number.isFinite(room)
    ? {
        openWriter: async (file: string, append: boolean) => {
          const handle = await open(file, append ? 'a' : 'w');
          return {
            writev: async () => {
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            },
            close: () => handle.close(),
          };
        },
      }
    : {};
  return createDispatcher(
    { ...fixture.table, ...modelsMethods({ env, pullOptions }) },
    { emit: (e) => events.push(e) },
  );
}

async function call<T>(dispatch: Dispatch, method: string, input: unknown): Promise<T> {
  const result = await dispatch(method, input);
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value as T;
}

const downloadEvents = (): ModelDownloadInfo[] =>
  events.flatMap((e) => (e.type === 'models.download' ? [e.download] : []));

async function settled(dispatch: Dispatch, repoId: string): Promise<ModelDownloadInfo> {
  for (;;) {
    const { downloads } = await call<{ downloads: ModelDownloadInfo[] }>(dispatch, 'models.downloads', {});
    const d = downloads.find((x) => x.repoId === repoId);
    if (d && d.state !== 'running') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  fixture = testTable();
  work = mkdtempSync(path.join(tmpdir(), 'mts-models-methods-'));
  const bert = writeTinyBert(path.join(work, 'tiny'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 4 });
  const files = new Map(repoFromFolder(bert.dir).files);
  const big = new Map(files);
  big.set('model.safetensors', Buffer.alloc(WEIGHTS, 7));
  const gpt = new Map(files);
  gpt.set('config.json', Buffer.from(JSON.stringify({ model_type: 'gpt2', n_layer: 2 })));
  hub = await startTestHub(
    new Map([
      ['acme/tiny-bert', { files, commit: 'a'.repeat(40) }],
      ['acme/big-bert', { files: big, commit: 'b'.repeat(40) }],
      ['acme/tiny-gpt', { files: gpt, commit: 'c'.repeat(40) }],
      ['acme/gated-bert', { files, commit: 'd'.repeat(40), token: 'hf_secret' }],
    ]),
  );
});
afterAll(async () => {
  await hub.close();
  fixture.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('models.* methods', () => {
  it('searches, sizes a repo before downloading, downloads it in the background and lists it', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: path.join(work, 'cache-1') };
    const dispatch = dispatcher(env);
    events = [];
    const search = await call<{ hits: { repoId: string }[] }>(dispatch, 'models.search', { query: 'bert' });
    expect(search.hits.map((h) => h.repoId)).toEqual(['acme/tiny-bert', 'acme/big-bert', 'acme/gated-bert']);
    const seen = await call<ModelInspection>(dispatch, 'models.inspect', { repoId: 'acme/big-bert' });
    expect(seen).toMatchObject({
      commit: 'b'.repeat(40),
      cachedBytes: 0,
      encoder: { ok: true, layers: 1, hidden: 16 },
    });
    expect(seen.totalBytes).toBe(seen.files.reduce((n, f) => n + f.bytes, 0));
    expect(seen.files.find((f) => f.name === 'model.safetensors')?.bytes).toBe(WEIGHTS);
    expect(hub.requests.some((r) => r.includes('model.safetensors'))).toBe(false);

    const started = await call<ModelDownloadInfo>(dispatch, 'models.download', { repoId: 'acme/big-bert' });
    expect(started.state).toBe('running');
    const end = await settled(dispatch, 'acme/big-bert');
    expect(end).toMatchObject({ state: 'completed', doneBytes: seen.totalBytes, error: null });
    expect(end.dir).toMatch(/models--acme--big-bert\/snapshots\/b{40}$/);
    expect(downloadEvents().at(-1)).toEqual(end);
    const list = await call<{ models: { repoId: string; dir: string | null }[] }>(dispatch, 'models.list', {});
    expect(list.models).toEqual([expect.objectContaining({ repoId: 'acme/big-bert', dir: end.dir })]);
  });

  it('cancels a download mid-way and a second download resumes it', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: path.join(work, 'cache-2') };
    const dispatch = dispatcher(env);
    events = [];
    hub.faults.bytesPerSec = 1 << 20;
    try {
      await call(dispatch, 'models.download', { repoId: 'acme/big-bert' });
      while (!downloadEvents().some((d) => d.file === 'model.safetensors' && d.bytesPerSec > 0)) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await call(dispatch, 'models.cancelDownload', { repoId: 'acme/big-bert' })).toEqual({ cancelled: true });
      const stopped = await settled(dispatch, 'acme/big-bert');
      expect(stopped).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
      expect(stopped.error!.message).toMatch(/bytes kept\); pull again to resume/);
      const part = await call<ModelInspection>(dispatch, 'models.inspect', { repoId: 'acme/big-bert' });
      expect(part.cachedBytes).toBeGreaterThan(part.totalBytes - WEIGHTS);
      expect(part.cachedBytes).toBeLessThan(part.totalBytes);
      delete hub.faults.bytesPerSec;
      hub.requests.length = 0;
      await call(dispatch, 'models.download', { repoId: 'acme/big-bert' });
      expect(await settled(dispatch, 'acme/big-bert')).toMatchObject({ state: 'completed' });
      expect(hub.requests.some((r) => /model\.safetensors bytes=\d+-$/.test(r))).toBe(true);
    } finally {
      delete hub.faults.bytesPerSec;
    }
  });

  it('says in plain words what went wrong: unknown repo, gated, wrong token, not BERT, no network, full disk', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: path.join(work, 'cache-3') };
    const dispatch = dispatcher(env);
    await expect(call(dispatch, 'models.inspect', { repoId: 'acme/nothing' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/no model 'acme\/nothing'.*Check the repo id/),
    });
    await expect(call(dispatch, 'models.inspect', { repoId: 'acme/gated-bert' })).rejects.toThrow(
      /gated or private.*set HF_TOKEN/,
    );
    const wrongToken = dispatcher({ ...env, HF_TOKEN: 'hf_wrong' });
    await expect(call(wrongToken, 'models.inspect', { repoId: 'acme/gated-bert' })).rejects.toThrow(
      /check that the token you set is right/,
    );
    const rightToken = dispatcher({ ...env, HF_TOKEN: 'hf_secret' });
    expect(await call(rightToken, 'models.inspect', { repoId: 'acme/gated-bert' })).toMatchObject({
      encoder: { ok: true },
    });
    expect(await call(dispatch, 'models.inspect', { repoId: 'acme/tiny-gpt' })).toMatchObject({
      encoder: {
        ok: false,
        reason: expect.stringMatching(/^'acme\/tiny-gpt' is not a BERT-family model: model_type is "gpt2" but/),
      },
    });
    const offline = dispatcher({ ...env, HF_ENDPOINT: 'http://127.0.0.1:9' });
    await expect(call(offline, 'models.search', { query: 'bert' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/Cannot reach the model hub at http:\/\/127\.0\.0\.1:9 .*still work offline/),
    });
    await expect(call(offline, 'models.inspect', { repoId: 'acme/tiny-bert' })).rejects.toThrow(/Cannot reach/);
    const full = dispatcher(env, 0);
    await call(full, 'models.download', { repoId: 'acme/tiny-bert' });
    expect(await settled(full, 'acme/tiny-bert')).toMatchObject({
      state: 'failed',
      error: { code: 'io', message: expect.stringMatching(/The disk is full: .*Free at least/) },
    });
  });
});
