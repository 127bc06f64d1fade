import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TOKEN_HEADER, type ApiEvent } from '../../src-preload/contract';
import { createDispatcher } from '../services/api/dispatch';
import { EventHub } from '../services/api/events';
import { testTable } from '../services/app/testing';
import { startServer, type RunningServer } from './http-server';

const TOKEN = 'test-token-0123456789';
let server: RunningServer;
let rendererDir: string;
const hub = new EventHub();
const fixture = testTable();

beforeAll(async () => {
  rendererDir = mkdtempSync(path.join(tmpdir(), 'mts-renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(path.dirname(rendererDir), 'outside-secret.txt'), 'secret');
  const dispatch = createDispatcher(fixture.table, { emit: hub.emit });
  server = await startServer({
    port: 0,
    rendererDir,
    dispatch,
    subscribe: (l) => hub.subscribe(l),
    token: TOKEN,
    maxBodyBytes: 1024,
  });
});

afterAll(async () => {
  await server.close();
  fixture.cleanup();
  rmSync(rendererDir, { recursive: true, force: true });
  rmSync(path.join(path.dirname(rendererDir), 'outside-secret.txt'), { force: true });
});

function rawGetStatus(rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function call(method: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: TOKEN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('browser-mode server', () => {
  it('prints a URL with the token in the fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
  });

  it('answers a valid call with ok:true', async () => {
    const res = await call('system.about', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { runtime: 'node' } });
  });

  it('returns 401 without the token and with a wrong one', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/system.about`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await call('system.about', {}, { [TOKEN_HEADER]: 'wrong' })).status).toBe(401);
  });

  it('returns 403 for another Origin even with the token', async () => {
    const res = await call('system.about', {}, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('returns 400 with the zod message for an invalid payload', async () => {
    const res = await call('system.probeProviders', { timeoutMs: 'soon' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.message).toMatch(/expected number[\s\S]*timeoutMs/);
  });

  it('returns 400 for malformed JSON, 404 for unknown methods, 405/415/413 for wrong requests', async () => {
    expect((await call('system.about', '{oops')).status).toBe(400);
    expect((await call('system.nope', {})).status).toBe(404);
    expect((await call('system.about', {}, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call('system.about', { pad: 'x'.repeat(2048) })).status).toBe(413);
    const get = await fetch(`http://127.0.0.1:${server.port}/api/system.about`, { headers: { [TOKEN_HEADER]: TOKEN } });
    expect(get.status).toBe(405);
  });

  it('serves the page with a CSP and refuses paths outside the renderer folder', async () => {
    const page = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // fetch() would normalise `..` away; http.request sends the path verbatim, as an attacker would.
    for (const raw of ['/../outside-secret.txt', '/%2e%2e/outside-secret.txt', '/..%2foutside-secret.txt']) {
      expect(await rawGetStatus(raw)).toBe(404);
    }
  });

  it('pushes events over the WebSocket only with the token and our origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/api/events`;
    const rejected = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${base}?token=wrong`);
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => resolve('error'));
    });
    expect(rejected).toBe('401');
    const foreign = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${base}?token=${TOKEN}`, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => resolve('error'));
    });
    expect(foreign).toBe('403');

    const ws = new WebSocket(`${base}?token=${TOKEN}`);
    await new Promise((resolve) => ws.once('open', resolve));
    const received = new Promise<ApiEvent>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as ApiEvent)),
    );
    hub.emit({ type: 'system.log', level: 'info', message: 'hello' });
    expect(await received).toEqual({ type: 'system.log', level: 'info', message: 'hello' });
    ws.close();
  });
});
