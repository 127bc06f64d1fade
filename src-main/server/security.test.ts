import { describe, expect, it } from 'vitest';
import { checkRequest, newToken, tokenMatches } from './security';
import { resolveStaticPath } from './static-files';

describe('tokens', () => {
  it('are fresh, long and URL-safe', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
  });

  it('match only exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
  });
});

describe('checkRequest', () => {
  const port = 4321;
  const host = `127.0.0.1:${port}`;

  it('accepts our host with our origin or no origin, with the token', () => {
    expect(checkRequest({ host, origin: `http://${host}` }, 't', 't', port, true)).toEqual({ ok: true });
    expect(checkRequest({ host: `localhost:${port}` }, 't', 't', port, true)).toEqual({ ok: true });
  });

  it('refuses foreign Host headers (DNS rebinding) and other origins with 403', () => {
    expect(checkRequest({ host: `evil.example:${port}` }, 't', 't', port, true)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkRequest({ host: '127.0.0.1:1' }, 't', 't', port, true)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ host, origin: 'http://evil.example' }, 't', 't', port, true)).toMatchObject({
      ok: false,
      status: 403,
      code: 'forbidden',
    });
  });

  it('requires the token only where asked (API yes, static page no)', () => {
    expect(checkRequest({ host }, undefined, 't', port, true)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest({ host }, undefined, 't', port, false)).toEqual({ ok: true });
  });
});

describe('resolveStaticPath', () => {
  const root = '/srv/renderer';

  it('maps / to index.html and keeps files inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe('/srv/renderer/index.html');
    expect(resolveStaticPath(root, '/assets/a.js')).toBe('/srv/renderer/assets/a.js');
  });

  it('refuses traversal, encoded traversal, NUL and malformed escapes', () => {
    expect(resolveStaticPath(root, '/../secret')).toBeNull();
    expect(resolveStaticPath(root, '/%2e%2e/secret')).toBeNull();
    expect(resolveStaticPath(root, '/assets/..%2f..%2fsecret')).toBeNull();
    expect(resolveStaticPath(root, '/a%00.js')).toBeNull();
    expect(resolveStaticPath(root, '/%E0%A4%A')).toBeNull();
  });
});
