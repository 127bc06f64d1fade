import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles } from './files';

const root = mkdtempSync(path.join(tmpdir(), 'mts-files-'));
mkdirSync(path.join(root, 'b-folder'));
mkdirSync(path.join(root, 'A-folder'));
writeFileSync(path.join(root, 'train.csv'), 'label,text\n');
writeFileSync(path.join(root, 'dev.csv'), 'x');
writeFileSync(path.join(root, '.hidden'), '');
symlinkSync(path.join(root, 'b-folder'), path.join(root, 'link-to-folder'));
symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('listFiles', () => {
  it('lists folders first, then files, by name, with sizes; follows links; skips dangling ones and dotfiles', async () => {
    const out = await listFiles(root, false);
    expect(out.dir).toBe(root);
    expect(out.parent).toBe(path.dirname(root));
    expect(out.truncated).toBe(false);
    expect(out.entries.map((e) => [e.name, e.kind, e.bytes])).toEqual([
      ['A-folder', 'dir', null],
      ['b-folder', 'dir', null],
      ['link-to-folder', 'dir', null],
      ['dev.csv', 'file', 1],
      ['train.csv', 'file', 11],
    ]);
    expect(out.entries[4]?.path).toBe(path.join(root, 'train.csv'));
  });

  it('shows dotfiles on request', async () => {
    expect((await listFiles(root, true)).entries.map((e) => e.name)).toContain('.hidden');
  });

  it('refuses relative paths, and names missing folders and files given as folders', async () => {
    await expect(listFiles('relative/dir', false)).rejects.toMatchObject({ code: 'path_rejected' });
    await expect(listFiles(path.join(root, 'nope'), false)).rejects.toMatchObject({ code: 'not_found' });
    await expect(listFiles(path.join(root, 'train.csv'), false)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('has no parent at the file-system root', async () => {
    expect((await listFiles(path.parse(root).root, false)).parent).toBeNull();
  });
});
