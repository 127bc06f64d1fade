/**
 * The hash a download is verified with, computed as its bytes are written. Large files are hashed on a worker
 * thread, so sha256 (about a third of a pull's CPU) runs beside the socket reads and file writes instead of
 * between them; the download's batches live in shared memory (raw-get.ts), so the worker reads them in place.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** An incremental hash whose updates may complete later (on another thread). */
export interface StreamHash {
  /** Adds bytes; the caller must not reuse `chunk` before the returned promise settles. */
  update(chunk: Uint8Array): Promise<void>;
  /** Adds a file's bytes (what an interrupted pull kept). */
  updateFromFile(file: string): Promise<void>;
  digest(): Promise<string>;
}

/** The hash on this thread (small files: a worker round trip would cost more than the hash). */
export function inlineHash(algorithm: string, prefix: string): StreamHash {
  const hash = createHash(algorithm).update(prefix);
  return {
    update: async (chunk) => void hash.update(chunk),
    updateFromFile: async (file) => {
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    },
    digest: async () => hash.digest('hex'),
  };
}

// The worker: one hash per job id; replies once each message is done, in order.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { readFileSync, openSync, readSync, closeSync } = require('node:fs');
const jobs = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.type === 'start') jobs.set(m.job, createHash(m.algorithm).update(m.prefix));
    else if (m.type === 'update') jobs.get(m.job).update(m.bytes);
    else if (m.type === 'file') {
      const fd = openSync(m.file, 'r');
      const buf = Buffer.allocUnsafe(1 << 20);
      try { for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) jobs.get(m.job).update(buf.subarray(0, n)); }
      finally { closeSync(fd); }
    } else if (m.type === 'digest') {
      const hex = jobs.get(m.job).digest('hex');
      jobs.delete(m.job);
      return parentPort.postMessage({ id: m.id, hex });
    }
    parentPort.postMessage({ id: m.id });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});`;

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (hex: string | undefined) => void; reject: (err: Error) => void }>();

function hashWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.unref(); // an idle hasher does not keep the CLI alive
  w.on('message', (m: { id: number; hex?: string; error?: string }) => {
    const wait = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) wait?.reject(new Error(`hashing failed: ${m.error}`));
    else wait?.resolve(m.hex);
  });
  const fail = (err: Error): void => {
    worker = null;
    for (const wait of waiting.values()) wait.reject(err);
    waiting.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the hashing thread exited (${code})`)));
  worker = w;
  return w;
}

/** Starts the shared hashing thread ahead of a large file, so its start-up overlaps the small files. */
export function warmHashWorker(): void {
  hashWorker();
}

/** The hash on the shared worker thread. */
export function offThreadHash(algorithm: string, prefix: string): StreamHash {
  const w = hashWorker();
  const job = nextId++;
  const send = (message: Record<string, unknown>): Promise<string | undefined> =>
    new Promise((resolve, reject) => {
      // A thread that stopped answers nothing: fail at once instead of waiting forever.
      if (worker !== w) return reject(new Error('the hashing thread stopped; pull again'));
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      w.ref(); // a pending answer keeps the process alive
      w.postMessage({ ...message, id, job });
    }).finally(() => {
      if (waiting.size === 0) w.unref();
    }) as Promise<string | undefined>;
  // A failure here fails the first update or the digest too, which report it.
  send({ type: 'start', algorithm, prefix }).catch(() => undefined);
  return {
    // A view of shared memory crosses as it is; any other bytes are copied by postMessage.
    update: async (chunk) => void (await send({ type: 'update', bytes: chunk })),
    updateFromFile: async (file) => void (await send({ type: 'file', file })),
    digest: async () => (await send({ type: 'digest' })) ?? '',
  };
}
