import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const builtServer = path.join(repo, 'out/main/server.js');
const built = existsSync(builtServer);
const note = built ? '' : ' (skipped: out/ is not built; run `npm run build`)';

describe('out/main/server.js (standalone browser mode)', () => {
  it.skipIf(!built)(`prints a token URL, serves the page and the API, and exits cleanly on SIGINT${note}`, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mts-server-main-'));
    const child = spawn(process.execPath, [builtServer, '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(output);
          if (match) resolve(match[0]);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${output}`)));
      });
      const [origin, token] = url.split('/#token=') as [string, string];
      expect((await fetch(`${origin}/`)).status).toBe(200);
      const about = await fetch(`${origin}/api/system.about`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mts-token': token },
        body: '{}',
      });
      // Only long-standing fields: out/ may be an older build than the sources under test.
      expect(await about.json()).toMatchObject({ ok: true, value: { runtime: 'node' } });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!built)(`refuses a bad --port with exit code 2${note}`, async () => {
    const child = spawn(process.execPath, [builtServer, '--port', 'http'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port must be an integer/);
  });
});
