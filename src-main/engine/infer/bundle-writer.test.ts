// Where the filesystem refuses hard links (FAT/exFAT, some network shares), the writer copies and says so.
import * as fs from 'node:fs';
import type * as FsModule from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { modelCard } from './bundle-files';
import { BundleWriter, filesOnDisk, uniqueBytes } from './bundle-writer';

vi.mock('node:fs', async (original) => {
  const real = await original<typeof FsModule>();
  return {
    ...real,
    linkSync: () => {
      throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    },
  };
});

const root = fs.mkdtempSync(join(tmpdir(), 'mts-writer-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('BundleWriter.link without hard links', () => {
  it('copies the file, lists the copy, and the card and sizes count it as its own bytes', () => {
    const writer = new BundleWriter(join(root, 'bundle'), false);
    writer.write('model.onnx_data', new Uint8Array(4096).fill(7));
    writer.link('ner/onnx/model.onnx_data', 'model.onnx_data');
    expect(writer.copies).toEqual([{ name: 'ner/onnx/model.onnx_data', target: 'model.onnx_data', reason: 'EPERM' }]);
    const files = filesOnDisk(writer.tempDir, writer.files);
    expect(files.every((f) => f.sameAs === undefined)).toBe(true);
    expect(uniqueBytes(files)).toBe(8192);
    expect(fs.readFileSync(writer.pathOf('ner/onnx/model.onnx_data'))).toEqual(
      fs.readFileSync(writer.pathOf('model.onnx_data')),
    );
    const card = modelCard(
      { name: 'x', baseModel: 'b', data: 'd', preset: 'full', metrics: {} },
      { classification: [], ner: ['O', 'B-PER'] },
      32,
      128,
      files,
      writer.copies,
    );
    expect(card).toContain('3 files, 8 KiB on disk besides this card');
    expect(card).toContain(
      'This filesystem refused hard links (EPERM), so 1 file was written as copies: `ner/onnx/model.onnx_data`.',
    );
    writer.commit();
    expect(fs.statSync(join(root, 'bundle', 'ner', 'onnx', 'model.onnx_data')).size).toBe(4096);
  });
});
