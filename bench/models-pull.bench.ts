/**
 * `npm run bench:pull`: `mts models pull` against curl, both downloading from the same local hub running in
 * its own process (bench/support/hub-server.ts), a BERT-shaped repo with a 90 MB model.safetensors; then a
 * pull cut at 60 MB and resumed. Prints JSON: MB/s of each (median of 7 rounds), their ratio and each round's
 * ratio (the machine's load moves between rounds), the CPU time of one download each, the load average, and the
 * bytes the resume fetched.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeTinyBert } from '../src-main/engine/model/testing';
import { pullModel } from '../src-main/services/models';

const ROUNDS = 7;
// bash's `times` prints "0m1.234s".
const seconds = (t: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};
const work = mkdtempSync(path.join(tmpdir(), 'mts-pull-bench-'));
const bert = writeTinyBert(path.join(work, 'tiny'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 4 }).dir;
const server = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'hub-server.ts'), bert, '90'],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const hub = await new Promise<{ endpoint: string; bytes: number; commit: string }>((resolve) =>
  server.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))),
);
const url = `${hub.endpoint}/acme/big-bert/resolve/${hub.commit}/model.safetensors`;
const env = (cache: string): NodeJS.ProcessEnv => ({ HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: cache });
const curl: number[] = [];
const ours: number[] = [];
// Rounds alternate curl and ours, so each round's ratio compares the two under the same machine load.
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  await promisify(execFile)('curl', ['-s', '-o', path.join(work, 'curl.bin'), url]);
  curl.push(hub.bytes / ((performance.now() - t0) / 1000));
  const cache = path.join(work, `cache-${r}`);
  mkdirSync(cache);
  const t1 = performance.now();
  await pullModel('acme/big-bert', { env: env(cache) });
  ours.push(hub.bytes / ((performance.now() - t1) / 1000));
  rmSync(cache, { recursive: true, force: true });
}
// CPU time (user + system) of one download each, which the machine's load disturbs far less than wall time:
// curl's from bash's `times` (its children), ours from process.cpuUsage (the hub runs in its own process).
const cpu = { curl: [] as number[], ours: [] as number[] };
for (let r = 0; r < 3; r++) {
  const { stdout } = await promisify(execFile)('bash', [
    '-c',
    `curl -s -o "${path.join(work, 'curl.bin')}" "${url}"; times`,
  ]);
  const [user, sys] = (stdout.trim().split('\n')[1] ?? '').split(' ').map(seconds);
  cpu.curl.push((user! + sys!) * 1000);
  const cacheCpu = path.join(work, `cache-cpu-${r}`);
  const c0 = process.cpuUsage();
  await pullModel('acme/big-bert', { env: env(cacheCpu) });
  const c = process.cpuUsage(c0);
  cpu.ours.push((c.user + c.system) / 1000);
  rmSync(cacheCpu, { recursive: true, force: true });
}
const cache = path.join(work, 'cache-resume');
server.stdin.write(`cut ${60 * 1024 * 1024}\n`);
await new Promise((r) => setTimeout(r, 100));
await pullModel('acme/big-bert', { env: env(cache) }).catch(() => undefined);
const resumed = await pullModel('acme/big-bert', { env: env(cache) });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  JSON.stringify({
    weightsBytes: hub.bytes,
    curlMBps: median(curl) / 1e6,
    oursMBps: median(ours) / 1e6,
    ratio: median(ours) / median(curl),
    cpuMs: { curl: Math.round(median(cpu.curl)), ours: Math.round(median(cpu.ours)) },
    roundRatios: ours.map((o, i) => Number((o / curl[i]!).toFixed(3))),
    medianRoundRatio: median(ours.map((o, i) => o / curl[i]!)),
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    cpus: cpus().length,
    resumedDownloadedBytes: resumed.downloadedBytes,
    resumedTotalBytes: resumed.totalBytes,
  }),
);
server.stdin.end();
rmSync(work, { recursive: true, force: true });
