import { describe, expect, it } from 'vitest';
import type {
  Api,
  ApiEvent,
  InputOf,
  MethodName,
  ModelDownloadInfo,
  ModelInspection,
  OutputOf,
  Result,
} from '../../../src-preload/contract';
import { megabytes, ModelPickerState, progressLine, timeLeft } from './model-picker.svelte';

type Handlers = { [M in MethodName]?: (input: InputOf<M>) => Promise<Result<OutputOf<M>>> };

function fakeApi(handlers: Handlers): Api & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    invoke<M extends MethodName>(method: M, input: InputOf<M>): Promise<Result<OutputOf<M>>> {
      calls.push(method);
      const h = handlers[method] as ((i: InputOf<M>) => Promise<Result<OutputOf<M>>>) | undefined;
      if (!h) return Promise.resolve({ ok: false, error: { code: 'unknown_method', message: method } });
      return h(input);
    },
    onEvent: () => () => undefined,
  };
}

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const inspection = (cachedBytes: number): ModelInspection => ({
  repoId: 'acme/bert',
  revision: 'main',
  commit: 'a'.repeat(40),
  files: [
    { name: 'config.json', bytes: 500 },
    { name: 'model.safetensors', bytes: 90_000_000 },
  ],
  totalBytes: 90_000_500,
  cachedBytes,
  encoder: { ok: true, layers: 6, hidden: 384, maxPositions: 512 },
});
const download = (over: Partial<ModelDownloadInfo>): ModelDownloadInfo => ({
  id: 1,
  repoId: 'acme/bert',
  revision: 'main',
  state: 'running',
  file: 'model.safetensors',
  doneBytes: 0,
  totalBytes: 90_000_500,
  bytesPerSec: 0,
  etaSec: null,
  dir: null,
  error: null,
  ...over,
});
const event = (d: ModelDownloadInfo): ApiEvent => ({ type: 'models.download', download: d });

describe('ModelPickerState', () => {
  it('offers a typed org/name even when the search does not list it, and keeps it when the hub is unreachable', async () => {
    let reachable = true;
    const picker = new ModelPickerState(
      fakeApi({
        'models.search': () =>
          reachable
            ? ok({ hits: [{ repoId: 'acme/bert-large', downloads: 5, likes: 0, pipelineTag: null }] })
            : Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'Cannot reach the model hub' } }),
      }),
    );
    picker.query = 'acme/bert';
    await picker.search();
    expect(picker.hits!.map((h) => h.repoId)).toEqual(['acme/bert', 'acme/bert-large']);
    reachable = false;
    await picker.search();
    expect(picker.hits!.map((h) => h.repoId)).toEqual(['acme/bert']);
    expect(picker.searchError?.message).toMatch(/Cannot reach/);
    picker.query = 'bert';
    await picker.search();
    expect(picker.hits).toEqual([]);
  });

  it('follows a download through its events, ignores a late answer of the same download, and re-checks at the end', async () => {
    let cached = 0;
    const api = fakeApi({
      'models.inspect': () => ok(inspection(cached)),
      'models.download': () => ok(download({})),
      'models.list': () => ok({ cacheDir: '/hf', models: [] }),
      'models.downloads': () => ok({ downloads: [] }),
    });
    const picker = new ModelPickerState(api);
    await picker.inspect('acme/bert');
    expect(picker.inspected).toMatchObject({ state: 'ready', value: { totalBytes: 90_000_500 } });
    const answer = picker.download();
    picker.onEvent(event(download({ doneBytes: 30_000_000, bytesPerSec: 10_000_000, etaSec: 6 })));
    expect(progressLine(picker.selectedDownload()!)).toBe('30.0 MB of 90.0 MB · 10.0 MB/s · 6 s left');
    cached = 90_000_500;
    picker.onEvent(event(download({ state: 'completed', doneBytes: 90_000_500, dir: '/hf/snap' })));
    await answer; // the start's answer ('running', 0 bytes) arrives after the end
    expect(picker.selectedDownload()).toMatchObject({ state: 'completed' });
    await new Promise((r) => setTimeout(r, 0));
    expect(api.calls.filter((c) => c === 'models.inspect')).toHaveLength(2);
    expect(picker.inspected).toMatchObject({ state: 'ready', value: { cachedBytes: 90_000_500 } });
    // A new download of the same repo (after a cancel) is followed again.
    picker.onEvent(event(download({ id: 2, doneBytes: 1000 })));
    expect(picker.selectedDownload()).toMatchObject({ id: 2, state: 'running' });
  });

  it('drops the answer for a repo that is no longer the chosen one', async () => {
    const later: ((r: Result<ModelInspection>) => void)[] = [];
    const picker = new ModelPickerState(
      fakeApi({ 'models.inspect': () => new Promise<Result<ModelInspection>>((r) => later.push(r)) }),
    );
    const first = picker.inspect('acme/old');
    const second = picker.inspect('acme/bert');
    later[1]!({ ok: true, value: inspection(0) });
    later[0]!({ ok: false, error: { code: 'not_found', message: 'gone' } });
    await Promise.all([first, second]);
    expect(picker.inspected).toMatchObject({ state: 'ready', repoId: 'acme/bert' });
  });
});

describe('formatting', () => {
  it('shows sizes in MB/GB and time left in s, min and h', () => {
    expect(megabytes(90_200_000)).toBe('90.2 MB');
    expect(megabytes(1_340_000_000)).toBe('1.34 GB');
    expect(megabytes(500)).toBe('500 B');
    expect(megabytes(200_000)).toBe('200 KB');
    expect(timeLeft(null)).toBe('');
    expect(timeLeft(42.4)).toBe('42 s left');
    expect(timeLeft(75)).toBe('1 min 15 s left');
    expect(timeLeft(3 * 3600 + 120)).toBe('3 h 2 min left');
  });
});
