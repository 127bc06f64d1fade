/** Starts `mts serve` (the built CLI, exactly as a user would) on a free port and reads the printed URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './paths';

export interface ServedApp {
  /** The URL `mts serve` printed, with #token=... */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly process: ChildProcess;
  /** The throw-away folder holding this run's project database. */
  readonly dataDir: string;
  /** Calls an API method the way the UI does (token header); an error result fails the test. */
  call<T>(method: string, input: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Spawns `node bin/mts.js serve --port 0 --no-open` on a fresh data folder (or `options.dataDir`, to start
 * the app again on the same projects); resolves once it prints its URL.
 */
export function serveApp(options: { readonly dataDir?: string; readonly keepData?: boolean } = {}): Promise<ServedApp> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'mts-e2e-data-'));
  const child = spawn(process.execPath, [path.join(REPO, 'bin/mts.js'), 'serve', '--port', '0', '--no-open'], {
    cwd: REPO,
    env: { ...process.env, MTS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mts serve printed no URL within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]+)/.exec(output);
      if (match?.[1] === undefined || match[2] === undefined) return;
      clearTimeout(timer);
      const [url, origin, token] = [match[0], match[1], match[2]];
      resolve({
        url,
        origin,
        token,
        process: child,
        dataDir,
        call: async <T>(method: string, input: unknown): Promise<T> => {
          const res = await fetch(`${origin}/api/${method}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-mts-token': token },
            body: JSON.stringify(input),
          });
          const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
          if (!body.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
          return body.value as T;
        },
        stop: async () => {
          if (child.exitCode === null) {
            const exited = new Promise((done) => child.once('exit', done));
            child.kill('SIGINT');
            await exited;
          }
          if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mts serve exited with ${String(code)} before printing a URL:\n${output}`));
    });
  });
}
