import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { filesOnDisk, uniqueBytes } from '../../engine/infer';
import { getMetrics, listArtifacts } from '../../store/repos/runs';
import { folderDigest } from '../train/artifacts';
import { trainedFixture, type TrainFixture } from '../train/testing';
import { exportRun, ExportRunInput } from './export-run';

/** The export input with its defaults, as the dispatcher hands it over. */
const input = (i: z.input<typeof ExportRunInput>): ExportRunInput => ExportRunInput.parse(i);

let f: TrainFixture & { runId: number };
let out: string;
beforeAll(async () => {
  f = await trainedFixture(undefined, { name: 'tiny news/ner' });
  out = join(f.dir, 'exports');
  mkdirSync(out);
});
afterAll(() => f.cleanup());

describe('exportRun', () => {
  it('writes the parity-checked bundle inside the chosen folder and records artifact and parity', async () => {
    const r = await exportRun(f.db, input({ runId: f.runId, folder: out }));
    expect(r.outDir).toBe(join(out, `tiny-news-ner-run${f.runId}`));
    expect(r.files).toContain('model.onnx');
    expect(existsSync(join(r.outDir, 'classification', 'onnx', 'model.onnx'))).toBe(true);
    expect(r.worstParity).toBeLessThanOrEqual(1e-4);
    expect(r.artifact).toMatchObject({ kind: 'export', path: r.outDir, ...folderDigest(r.outDir) });
    // The recorded size is the bytes on disk: the head folders' hard links are not counted again.
    expect(r.artifact.bytes).toBe(uniqueBytes(filesOnDisk(r.outDir, r.files)));
    expect(r.artifact.bytes).toBeLessThan(filesOnDisk(r.outDir, r.files).reduce((n, f) => n + f.bytes, 0));
    expect(listArtifacts(f.db, f.runId).map((a) => a.kind)).toEqual(['checkpoint', 'export']);
    expect(getMetrics(f.db, f.runId, 'parity.maxAbsDiff')).toEqual([
      { step: 0, epoch: 0, split: 'export', name: 'parity.maxAbsDiff', value: r.worstParity },
    ]);
    const card = readFileSync(join(r.outDir, 'README.md'), 'utf8');
    expect(card).toContain('tiny news/ner');
    expect(card).toMatch(/dev classification\.accuracy/);

    await expect(exportRun(f.db, input({ runId: f.runId, folder: out }))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already exists/),
    });
    await exportRun(f.db, input({ runId: f.runId, folder: out, overwrite: true }));
  });

  it('with int8 adds the quantized graphs, parity-checked, and reports their agreement with fp32', async () => {
    const r = await exportRun(f.db, input({ runId: f.runId, folder: out, name: 'with-int8', int8: true }));
    expect(r.files).toEqual(expect.arrayContaining(['model.int8.onnx', 'classification/onnx/model_quantized.onnx']));
    expect(r.parity.some((p) => p.file === 'model.int8.onnx')).toBe(true);
    expect(r.worstParity).toBeLessThanOrEqual(1e-4);
    expect(r.int8Drift!.sameClass).toBeGreaterThanOrEqual(0);
    expect(r.int8Drift!.sameClass).toBeLessThanOrEqual(1);
    // The card says what was written: the int8 files and the q8 dtype.
    const card = readFileSync(join(r.outDir, 'README.md'), 'utf8');
    expect(card).toMatch(
      /- `model\.int8\.onnx` \([\d.]+ (KiB|MiB)\): the same graph with the encoder's dense layers in int8/,
    );
    expect(card).toMatch(/int8 weights [\d.]+ (KiB|MiB) \(stored once, in `model\.int8\.onnx_data`\)/);
    expect(card).toContain("dtype: 'q8'");
    const plain = await exportRun(f.db, input({ runId: f.runId, folder: out, name: 'fp32-only' }));
    expect(plain.files).not.toContain('model.int8.onnx');
    expect(plain.int8Drift).toBeUndefined();
  });

  it('refuses names and links that leave the chosen folder, and relative folders', async () => {
    for (const name of ['../escape', '/tmp/abs', 'a/../../b']) {
      await expect(exportRun(f.db, input({ runId: f.runId, folder: out, name }))).rejects.toMatchObject({
        code: 'path_rejected',
      });
    }
    symlinkSync(f.dir, join(out, 'link'));
    await expect(exportRun(f.db, input({ runId: f.runId, folder: out, name: 'link/bundle' }))).rejects.toThrow(
      /symbolic link/,
    );
    await expect(exportRun(f.db, input({ runId: f.runId, folder: 'exports' }))).rejects.toMatchObject({
      code: 'path_rejected',
    });
    expect(existsSync(join(f.dir, 'escape'))).toBe(false);
  });
});
