import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import { repoFromFolder, startTestHub, type TestHub } from '../../services/models/testing';
import { runCli } from '../run-cli';
import { type CapturedEnv, capturedEnv } from '../testing';

let hub: TestHub;
let work = '';
const saved = {
  endpoint: process.env.HF_ENDPOINT,
  cache: process.env.HF_HUB_CACHE,
  offline: process.env.HF_HUB_OFFLINE,
};

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'mts-cli-hub-'));
  const bert = writeTinyBert(path.join(work, 'tiny'), {
    layers: 1,
    hidden: 16,
    heads: 2,
    intermediate: 32,
    seed: 4,
  }).dir;
  hub = await startTestHub(
    new Map([
      ['acme/tiny-bert', repoFromFolder(bert)],
      ['acme/tagged-bert', repoFromFolder(bert, 'f'.repeat(40))],
    ]),
  );
  process.env.HF_ENDPOINT = hub.endpoint;
  process.env.HF_HUB_CACHE = path.join(work, 'cache');
});
afterAll(async () => {
  await hub.close();
  for (const [key, value] of [
    ['HF_ENDPOINT', saved.endpoint],
    ['HF_HUB_CACHE', saved.cache],
    ['HF_HUB_OFFLINE', saved.offline],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(work, { recursive: true, force: true });
});

const env = (): CapturedEnv => capturedEnv();

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

  it('takes a hub repo id and a revision as pipeline --model: pulled once, then served offline', async () => {
    const data = path.join(work, 'train.csv');
    const rows = ['label,text'];
    for (let i = 0; i < 16; i++)
      rows.push(`${i % 2 ? 'Sports' : 'Business'},"Report ${i} on the game and the market."`);
    writeFileSync(data, `${rows.join('\n')}\n`);
    const args = (out: string, ...model: string[]): string[] => [
      'pipeline',
      ...['--train', data, '--dev', data, '--no-ner', '--epochs', '1', '--max-steps', '1', '--batch-size', '8'],
      ...['--device', 'cpu', '--threads', '1', '--json', '--out', path.join(work, out)],
      ...model,
    ];
    const first = env();
    expect(await runCli(args('run-1', '--model', 'acme/tagged-bert', '--revision', 'main'), first.value)).toBe(0);
    expect(first.err.join('\n')).toMatch(/\[model\] model\.safetensors: .* MB \/ .* MB/);
    const pipelineJson = JSON.parse(readFileSync(path.join(work, 'run-1', 'pipeline.json'), 'utf8'));
    expect(pipelineJson.options.model).toMatch(/models--acme--tagged-bert\/snapshots\/f{40}$/);

    process.env.HF_HUB_OFFLINE = '1';
    try {
      const offline = env();
      expect(await runCli(args('run-2', '--model', 'acme/tagged-bert@main'), offline.value)).toBe(0);
      const missing = env();
      expect(await runCli(args('run-3', '--model', 'acme/tiny-bert', '--revision', 'v9'), missing.value)).toBe(1);
      expect(missing.err.join('\n')).toMatch(/'acme\/tiny-bert' \(v9\) is not in the model cache .* HF_HUB_OFFLINE=1/);
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
  });
});
