import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetLoadedHashes, recorded, type RecordOptions, recordUses, sourceHash } from './record';

// A fake repository: the files each side's code hash reads, and a records folder.
let root: string;
let dir: string;
const write = (rel: string, text: string): void => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const read = (label: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')) as Record<string, unknown>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mts-record-'));
  dir = join(root, 'records');
  write('src-main/engine/trainer/trainer.ts', 'trainer v1');
  write('src-main/engine/trainer/evaluate.ts', 'evaluate v1');
  write('src-main/engine/trainer/evaluation-hook.ts', 'hook v1');
  write('src-main/engine/metrics/ner.ts', 'ner v1');
  write('src-main/engine/model/training-graph.ts', 'graphs v1');
  write('src-main/engine/infer/predict.ts', 'predict v1');
  write('src-main/data/prepare.ts', 'prepare v1');
  write('src-main/services/pipeline/read.ts', 'read v1');
  write('scripts/ref/train_torch_ref.py', 'torch v1');
  write('bench/train/quality.ts', 'quality v1');
  write('bench/train/prepare.ts', 'bench prepare v1');
  write('bench/train/options.ts', 'options v1');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const result = { accuracy: 0.9, losses: [1.5, 1.25, 1.0] };
type Result = typeof result;
const ours = { batches: 'b1', config: { epochs: 2 }, side: 'ours' as const };
const torch = { batches: 'b1', config: { epochs: 2 }, side: 'torch' as const, attn: 'eager' };

/** recorded() with a counting trainer; returns the result and how many times it trained. */
async function side(label: string, parts: typeof ours | typeof torch, opts: RecordOptions<Result> = {}) {
  forgetLoadedHashes(); // each call stands for a new bench process
  const run = vi.fn(async (): Promise<Result> => result);
  const got = await recorded(dir, label, parts, run, { root, ...opts });
  return { got, trained: run.mock.calls.length };
}

describe('recorded', () => {
  it('trains once and reuses the record while inputs and code match', async () => {
    expect((await side('a-ours', ours)).trained).toBe(1);
    expect(await side('a-ours', ours)).toEqual({ got: result, trained: 0 });
    expect(read('a-ours')).toMatchObject({ version: 2, side: 'ours', result });
    expect(recordUses().slice(-2)).toEqual([
      { label: 'a-ours', use: 'trained' },
      { label: 'a-ours', use: 'reused' },
    ]);
  });

  it('just runs without a folder', async () => {
    const run = vi.fn(async () => result);
    await recorded(undefined, 'x', ours, run, { root });
    await recorded(undefined, 'x', ours, run, { root });
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('trains again when the inputs change, but not for a part that is undefined', async () => {
    await side('a-ours', ours);
    expect((await side('a-ours', { ...ours, weights: undefined } as typeof ours)).trained).toBe(0);
    expect((await side('a-ours', { ...ours, batches: 'b2' })).trained).toBe(1);
  });

  it('voids only the side whose code changed', async () => {
    await side('a-ours', ours);
    await side('a-torch', torch);
    write('src-main/engine/trainer/trainer.ts', 'trainer v2');
    write('bench/train/options.ts', 'options v2: a new flag');
    write('src-main/engine/infer/predict.ts', 'predict v2');
    expect((await side('a-torch', torch)).trained).toBe(0);
    expect((await side('a-ours', ours)).trained).toBe(1);
    write('scripts/ref/train_torch_ref.py', 'torch v2');
    expect((await side('a-torch', torch)).trained).toBe(1);
  });

  it('keeps an ours record after a code change when a replay reproduces its losses exactly', async () => {
    await side('a-ours', ours, { settings: {} });
    write('src-main/engine/trainer/trainer.ts', 'trainer v2');
    const replayRun = vi.fn(async (steps: number) => result.losses.slice(0, steps));
    const replay = { steps: 2, lossesOf: (r: Result) => r.losses, run: replayRun };
    expect((await side('a-ours', ours, { replay, settings: {} })).trained).toBe(0);
    expect(replayRun).toHaveBeenCalledWith(2);
    expect(recordUses().at(-1)).toEqual({ label: 'a-ours', use: 'replayed 2 steps' });
    const rec = read('a-ours');
    expect(rec['code']).toBe(
      sourceHash(['src-main/engine', 'src-main/data', 'src-main/services/pipeline/read.ts'], root),
    );
    expect(rec['replayed']).toMatchObject({ steps: 2 });
    // Now current: the next run reuses it without replaying.
    expect((await side('a-ours', ours, { replay, settings: {} })).trained).toBe(0);
    expect(replayRun).toHaveBeenCalledTimes(1);
  });

  it('trains again when the replay differs in any step, or the scoring code changed', async () => {
    await side('a-ours', ours, { settings: {} });
    write('src-main/engine/trainer/trainer.ts', 'trainer v2');
    const off = { steps: 3, lossesOf: (r: Result) => r.losses, run: async () => [1.5, 1.25, 1.0000001] };
    expect((await side('a-ours', ours, { replay: off, settings: {} })).trained).toBe(1);

    write('src-main/engine/trainer/trainer.ts', 'trainer v3');
    write('src-main/engine/metrics/ner.ts', 'ner v2');
    const never = vi.fn(async (steps: number) => result.losses.slice(0, steps));
    expect(
      (
        await side('a-ours', ours, {
          replay: { steps: 2, lossesOf: (r: Result) => r.losses, run: never },
          settings: {},
        })
      ).trained,
    ).toBe(1);
    expect(never).not.toHaveBeenCalled();
  });

  it('upgrades a legacy one-key record whose key still matches, with the bench files as they were then', async () => {
    const legacyCode = sourceHash(
      [
        'src-main/engine',
        'src-main/data',
        'src-main/services/pipeline/read.ts',
        'scripts/ref/train_torch_ref.py',
        'bench/train/quality.ts',
        'bench/train/prepare.ts',
        'bench/train/options.ts',
      ],
      root,
    );
    const key = createHash('sha256')
      .update(JSON.stringify({ keyParts: torch, code: legacyCode }))
      .digest('hex');
    // Since then the bench's own files changed; the old key is rebuilt with them as they were.
    const then = {
      'bench/train/quality.ts': 'quality v1',
      'bench/train/prepare.ts': 'bench prepare v1',
      'bench/train/options.ts': 'options v1',
    };
    const legacyFile = (rel: string): string | undefined => then[rel as keyof typeof then];
    write('bench/train/quality.ts', 'quality v2');
    write('bench/train/options.ts', 'options v2');
    mkdirSync(dir, { recursive: true });
    const legacy = { key, label: 'a-torch', savedAt: '2026-12-08T00:51:10.633Z', result };
    writeFileSync(join(dir, 'a-torch.json'), JSON.stringify(legacy));
    writeFileSync(join(dir, 'b-torch.json'), JSON.stringify({ ...legacy, key: 'f'.repeat(64) }));
    writeFileSync(join(dir, 'c-torch.json'), JSON.stringify({ ...legacy, label: 'c-torch' }));
    expect((await side('a-torch', torch, { legacyFile })).trained).toBe(0);
    expect(recordUses().at(-1)).toEqual({ label: 'a-torch', use: 'upgraded' });
    expect(read('a-torch')).toMatchObject({ version: 2, savedAt: legacy.savedAt, result });
    expect((await side('b-torch', torch, { legacyFile })).trained).toBe(1);
    // Without the old bench files (no git, no such commit) the old key cannot be rebuilt: trained again.
    expect((await side('c-torch', torch, { legacyFile: () => undefined })).trained).toBe(1);
    // Upgraded, it survives further changes to the bench's own files.
    write('bench/train/options.ts', 'options v3');
    expect((await side('a-torch', torch)).trained).toBe(0);
  });

  it('refuses a replay when the trainer settings changed or were never noted, and notes them on reuse', async () => {
    const replayRun = vi.fn(async (steps: number) => result.losses.slice(0, steps));
    const replay = { steps: 2, lossesOf: (r: Result) => r.losses, run: replayRun };
    await side('a-ours', ours);
    expect(read('a-ours')['settings']).toBeUndefined();
    write('src-main/engine/trainer/trainer.ts', 'trainer v2');
    // A record without settings cannot be replayed: its settings are unknown.
    expect((await side('a-ours', ours, { replay, settings: { patience: 0 } })).trained).toBe(1);
    expect(replayRun).not.toHaveBeenCalled();
    // Reused with the code that made it, a record gains the settings it ran with.
    writeFileSync(join(dir, 'b-ours.json'), readFileSync(join(dir, 'a-ours.json')));
    const bare = { ...read('b-ours'), settings: undefined, label: 'b-ours' };
    writeFileSync(join(dir, 'b-ours.json'), JSON.stringify(bare));
    expect((await side('b-ours', ours, { settings: { patience: 0 } })).trained).toBe(0);
    expect(read('b-ours')['settings']).toEqual(expect.any(String));
    write('src-main/engine/trainer/trainer.ts', 'trainer v3');
    expect((await side('b-ours', ours, { replay, settings: { patience: 3 } })).trained).toBe(1);
    expect(replayRun).not.toHaveBeenCalled();
  });

  it('keeps saying a record was replayed on later runs, and retrains an unreadable record', async () => {
    const replay = { steps: 2, lossesOf: (r: Result) => r.losses, run: async (k: number) => result.losses.slice(0, k) };
    await side('a-ours', ours, { settings: {} });
    write('src-main/engine/trainer/trainer.ts', 'trainer v2');
    await side('a-ours', ours, { replay, settings: {} });
    expect((await side('a-ours', ours, { settings: {} })).trained).toBe(0);
    expect(recordUses().at(-1)).toEqual({ label: 'a-ours', use: 'replayed 2 steps' });
    writeFileSync(join(dir, 'a-ours.json'), '{"version": 2, "lab');
    expect((await side('a-ours', ours, { settings: {} })).trained).toBe(1);
    expect(read('a-ours')).toMatchObject({ version: 2, result });
  });

  it('keys a record with the code its process loaded, not files changed on disk since', async () => {
    forgetLoadedHashes();
    const run = vi.fn(async (): Promise<Result> => result);
    await recorded(dir, 'a-ours', ours, run, { root }); // the process starts: its code is v1
    write('src-main/engine/trainer/trainer.ts', 'trainer v2'); // a merge while it runs
    await recorded(dir, 'b-ours', ours, run, { root });
    expect(read('b-ours')['code']).toBe(read('a-ours')['code']);
  });
});
