/**
 * A file download over plain HTTP/1.1 whose body is read straight into large reusable buffers (the socket's
 * `onread` option): no buffer allocated per network chunk, no stream machinery per chunk, and the file is
 * written in 4 MB pieces while the socket keeps reading. node:http with a 'data' handler spent about twice the
 * CPU per byte (a fresh 64 KB buffer per read, then garbage collection), which on a busy machine made the pull
 * run at ~0.6x curl's rate from the same server (bench:pull).
 *
 * Only bodies framed by Content-Length take this path (file storage always frames them); a success answered
 * otherwise resolves `null` so the caller can ask again through node:http. Other answers (redirects, errors) are
 * for their status and headers only.
 */
import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { BlobWriter, StreamEnd } from './blob-stream';

/** A response whose status and headers have arrived and whose body is waiting to be read. */
export interface Download {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: ReadonlyMap<string, string>;
  /** Reads the body into `writer`, each piece through `onChunk` first (hashing, progress); never rejects. */
  pipe(writer: BlobWriter, onChunk: (chunk: Buffer) => void): Promise<StreamEnd>;
  /** Drops the body and the connection. */
  discard(): void;
}

const BATCH = 4 << 20;
// Ship the batch to the writer when less than this is left in it (a read should have room to be large).
const MIN_ROOM = 256 << 10;
// Batches waiting for the disk before the socket pauses.
const MAX_QUEUED = 4;
const MAX_HEAD = 64 << 10;

// Batches live in shared memory so the hashing thread reads them in place (stream-hash.ts).
const newBatch = (): Buffer => Buffer.from(new SharedArrayBuffer(BATCH));

/** GETs `url`; resolves once the head has arrived (null: the body is not Content-Length framed). */
export function rawGet(
  url: URL,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal | undefined,
  idleMs: number,
): Promise<Download | null> {
  return new Promise((resolve, reject) => {
    const pool: Buffer[] = [];
    let batch: Buffer = newBatch();
    let from = 0; // start of the batch's bytes not yet shipped to the writer
    let fill = 0; // end of the bytes received into the batch
    let head: { status: number; headers: Map<string, string>; left: number } | null = null;
    let body: BodyState | null = null;

    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const onread = { buffer: (): Buffer => batch.subarray(fill), callback: (n: number, buf: Buffer) => onRead(n, buf) };
    // tls.connect takes onread as net.connect does (Node's tls docs), though @types/node leaves it out.
    const tlsOptions: ConnectionOptions & { readonly onread: OnReadOpts } = {
      host: url.hostname,
      port,
      servername: url.hostname,
      onread,
    };
    const socket: Socket =
      url.protocol === 'https:' ? tlsConnect(tlsOptions) : netConnect({ host: url.hostname, port, onread });
    socket.setTimeout(idleMs, () => socket.destroy(new Error(`no data for ${idleMs / 1000} s`)));
    const abort = (): void => void socket.destroy(new Error('cancelled'));
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: mts\r\n` +
          `Accept-Encoding: identity\r\nConnection: close\r\n${lines.join('')}\r\n`,
      );
    });
    let failure: Error | null = null;
    socket.on('error', (err) => (failure = err));
    let closedWith: string | null = null;
    socket.on('close', () => {
      signal?.removeEventListener('abort', abort);
      closedWith = failure?.message ?? 'the connection closed early';
      if (head === null) reject(failure ?? new Error('the connection closed before the answer arrived'));
      else body?.closed(closedWith);
    });

    const onRead = (n: number, buf: Buffer): boolean => {
      // The bytes land where buffer() pointed; copy only if the socket read elsewhere.
      if (buf.buffer !== batch.buffer || buf.byteOffset !== batch.byteOffset + fill) buf.copy(batch, fill, 0, n);
      if (head === null) return readHead(n);
      if (body !== null) return body.received(n);
      fill += n; // a read that came before pipe(): kept with the bytes that arrived with the head
      return false;
    };

    const readHead = (n: number): boolean => {
      fill += n;
      const end = batch.subarray(0, fill).indexOf('\r\n\r\n');
      if (end < 0) {
        if (fill > MAX_HEAD) socket.destroy(new Error('the answer has no end of headers'));
        return true;
      }
      head = parseHead(batch.subarray(0, end).toString('latin1'));
      from = end + 4;
      const length = head.headers.get('content-length');
      const framed = length !== undefined && /^\d+$/.test(length) && !head.headers.has('transfer-encoding');
      const success = head.status >= 200 && head.status < 300;
      if (success && !framed) {
        socket.destroy();
        resolve(null);
        return false;
      }
      head.left = success ? Number(length) : 0;
      const { status, headers: h } = head;
      resolve({
        status,
        headers: h,
        pipe: (writer, onChunk) =>
          new Promise<StreamEnd>((done) => {
            body = new BodyState(writer, done, () => socket.destroy());
            const early = Math.min(fill - from, head!.left);
            fill = from;
            if (early > 0) body.take(early, onChunk);
            if (head!.left === 0) body.finish();
            // It closed before pipe(): nothing more comes.
            else if (closedWith !== null) body.closed(closedWith);
            else {
              body.onChunk = onChunk;
              socket.resume();
            }
          }),
        discard: () => socket.destroy(),
      });
      return false; // wait for pipe() or discard()
    };

    // The body's side: batches to the writer one at a time, in order.
    class BodyState {
      onChunk: (chunk: Buffer) => void = () => undefined;
      private queue: Promise<void> = Promise.resolve();
      private queued = 0;
      private written = 0;
      private writeError: NodeJS.ErrnoException | null = null;
      private ended = false;
      private paused = false;

      constructor(
        private readonly writer: BlobWriter,
        private readonly done: (end: StreamEnd) => void,
        private readonly stop: () => void,
      ) {}

      take(n: number, onChunk: (chunk: Buffer) => void): void {
        const bytes = Math.min(n, head!.left);
        onChunk(batch.subarray(fill, fill + bytes));
        fill += bytes;
        head!.left -= bytes;
      }

      received(n: number): boolean {
        if (this.ended) return false;
        this.take(n, this.onChunk);
        if (head!.left === 0) {
          this.finish();
          return false;
        }
        if (batch.length - fill < MIN_ROOM) this.ship();
        if (this.queued >= MAX_QUEUED) this.paused = true;
        return !this.paused;
      }

      finish(): void {
        this.ended = true;
        this.stop();
        this.ship();
        void this.queue.then(() => this.settle({ kind: 'complete', written: this.written }));
      }

      closed(reason: string): void {
        if (this.ended) return;
        this.ended = true;
        this.ship(); // what arrived before a cut is kept for the resume
        void this.queue.then(() => this.settle({ kind: 'cut', written: this.written, reason }));
      }

      private settle(end: StreamEnd): void {
        const error = this.writeError;
        this.done(error ? { kind: 'write_failed', written: this.written, error } : end);
      }

      private ship(): void {
        if (fill === from) return;
        const whole = batch;
        const piece = batch.subarray(from, fill);
        batch = pool.pop() ?? newBatch();
        from = 0;
        fill = 0;
        this.queued++;
        this.queue = this.queue.then(async () => {
          if (this.writeError === null) {
            try {
              await this.writer.writev([piece]);
              this.written += piece.length;
            } catch (err) {
              const error = err as NodeJS.ErrnoException;
              this.writeError = error;
              const waited = this.ended; // finish() or closed() already settles after the queue
              this.ended = true;
              this.stop();
              // Mid-transfer nothing else settles: do it once the writes queued behind this one are skipped.
              if (!waited) {
                void Promise.resolve()
                  .then(() => this.queue)
                  .then(() => this.done({ kind: 'write_failed', written: this.written, error }));
              }
            }
          }
          this.queued--;
          pool.push(whole);
          if (this.paused && this.queued < MAX_QUEUED && !this.ended) {
            this.paused = false;
            socket.resume();
          }
        });
      }
    }
  });
}

function parseHead(text: string): { status: number; headers: Map<string, string>; left: number } {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers, left: 0 };
}
