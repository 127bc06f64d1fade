import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import { repoFromFolder, startTestHub, type TestHub } from '../../services/models/testing';
import { tsxProbeChild } from '../../services/system/testing';
import { runCli } from '../run-cli';
import type { CliEnv } from '../types';

let hub: TestHub;
const saved = { endpoint: process.env.HF_ENDPOINT, cache: process.env.HF_HUB_CACHE };

beforeAll(async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'mts-cli-hub-'));
  const bert = writeTinyBert(path.join(work, 'tiny'), {
    layers: 1,
    hidden: 16,
    heads: 2,
    intermediate: 32,
    seed: 4,
  }).dir;
  hub = await startTestHub(new Map([['acme/tiny-bert', repoFromFolder(bert)]]));
  process.env.HF_ENDPOINT = hub.endpoint;
  process.env.HF_HUB_CACHE = path.join(work, 'cache');
});
afterAll(async () => {
  await hub.close();
  for (const [key, value] of [
    ['HF_ENDPOINT', saved.endpoint],
    ['HF_HUB_CACHE', saved.cache],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function env(): { value: CliEnv; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliEnv = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    layout: { rendererDir: tmpdir(), probeChild: tsxProbeChild() },
    version: 'test',
    signal: new AbortController().signal,
  };
  return { value, out, err };
}

describe('mts models', () => {
  it('pulls a model into the cache with progress, then lists it', async () => {
    const pull = env();
    expect(await runCli(['models', 'pull', 'acme/tiny-bert'], pull.value)).toBe(0);
    expect(pull.out.join('\n')).toMatch(/acme\/tiny-bert @ aaaaaaaaaaaa: .*snapshots\/a{40} \(\d+\.\d MB downloaded\)/);
    expect(pull.err.at(-1)).toMatch(/model\.safetensors: .* MB \/ .* MB/);
    const list = env();
    expect(await runCli(['models', 'list'], list.value)).toBe(0);
    expect(list.out).toEqual([expect.stringMatching(/^acme\/tiny-bert {2}main {2}\d+\.\d MB$/)]);
    const bad = env();
    expect(await runCli(['models', 'pull', 'acme/nothing'], bad.value)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/no model 'acme\/nothing'/);
  });
});
