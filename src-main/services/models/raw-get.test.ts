import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlobWriter } from './blob-stream';
import { rawGet } from './raw-get';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/file`);
}

// A writer that keeps what it is given (copied: the batches are reused) after a delay.
function memoryWriter(delayMs: number): BlobWriter & { readonly out: Buffer[] } {
  const out: Buffer[] = [];
  return {
    out,
    writev: async (chunks) => {
      await new Promise((r) => setTimeout(r, delayMs));
      for (const c of chunks) out.push(Buffer.from(c));
    },
    close: async () => undefined,
  };
}

describe('rawGet', () => {
  it('waits for a slow disk (the socket pauses) and delivers every byte in order', async () => {
    const data = Buffer.alloc(40 << 20);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    const url = await serve((_, res) => res.writeHead(200, { 'content-length': String(data.length) }).end(data));
    const download = (await rawGet(url, {}, undefined, 5000))!;
    const writer = memoryWriter(60);
    let seen = 0;
    const end = await download.pipe(writer, (c) => (seen += c.length));
    expect(end).toEqual({ kind: 'complete', written: data.length });
    expect(seen).toBe(data.length);
    expect(Buffer.concat(writer.out).equals(data)).toBe(true);
  });

  it('reports a cut when the connection ended before the body was asked for (cancelled, or the server closed)', async () => {
    const url = await serve((_, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(1000), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const stop = new AbortController();
    const cancelled = (await rawGet(url, {}, stop.signal, 5000))!;
    stop.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(await cancelled.pipe(memoryWriter(0), () => undefined)).toMatchObject({ kind: 'cut', reason: 'cancelled' });
    const dropped = (await rawGet(url, {}, undefined, 5000))!;
    await new Promise((r) => setTimeout(r, 200));
    expect((await dropped.pipe(memoryWriter(0), () => undefined)).kind).toBe('cut');
  });

  it('answers null for a success without Content-Length, and the head of a redirect', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/file') return void res.writeHead(302, { location: '/chunked' }).end();
      res.writeHead(200); // chunked
      res.end('hello');
    });
    const redirect = (await rawGet(url, {}, undefined, 5000))!;
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/chunked');
    redirect.discard();
    expect(await rawGet(new URL('/chunked', url), {}, undefined, 5000)).toBeNull();
  });
});
