import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProjectId } from '../../../src-preload/contract';
import { createHttpApi } from './http-client';

afterEach(() => vi.unstubAllGlobals());

function stubFetch(respond: (url: string, init: RequestInit) => Promise<Response>): ReturnType<typeof vi.fn> {
  const fake = vi.fn(respond);
  vi.stubGlobal('fetch', fake);
  return fake;
}

describe('createHttpApi', () => {
  it('POSTs JSON with the token header and returns the server result as is', async () => {
    const fake = stubFetch(async () =>
      Response.json({ ok: false, error: { code: 'not_found', message: 'gone' } }, { status: 404 }),
    );
    const api = createHttpApi('tok');
    const result = await api.invoke('datasets.list', { projectId: 1 as ProjectId });
    expect(result).toEqual({ ok: false, error: { code: 'not_found', message: 'gone' } });
    const [url, init] = fake.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/datasets.list');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'content-type': 'application/json', 'x-mts-token': 'tok' });
    expect(init.body).toBe('{"projectId":1}');
  });

  it('turns a network failure into a readable transport error', async () => {
    stubFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const result = await createHttpApi('tok').invoke('projects.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'transport', method: 'projects.list' } });
    if (!result.ok) expect(result.error.message).toMatch(/Cannot reach[\s\S]*Failed to fetch/);
  });

  it('turns a non-result body (a proxy page, a crash) into a transport error naming the status', async () => {
    stubFetch(async () => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }));
    const result = await createHttpApi('tok').invoke('projects.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'transport' } });
    if (!result.ok) expect(result.error.message).toMatch(/502 Bad Gateway/);
  });

  it('without a token answers unauthorized without calling the server', async () => {
    const fake = stubFetch(async () => Response.json({ ok: true, value: [] }));
    const result = await createHttpApi(null).invoke('projects.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    if (!result.ok) expect(result.error.message).toMatch(/#token=/);
    expect(fake).not.toHaveBeenCalled();
  });
});
