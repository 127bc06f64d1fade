import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkImportPath, resolveExportPath } from './paths';
import { ServiceError } from '../api/errors';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mts-paths-'));
  mkdirSync(join(dir, 'out'));
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'data.csv'), 'label,text\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rejected = (f: () => unknown, code: 'path_rejected' | 'not_found' = 'path_rejected') => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe(code);
    return (err as Error).message;
  }
  throw new Error(`expected a ${code} error`);
};

describe('checkImportPath', () => {
  it('accepts an absolute existing file', () => {
    expect(checkImportPath(join(dir, 'data.csv'))).toMatch(/data\.csv$/);
  });
  it('rejects relative paths, missing files and folders', () => {
    expect(rejected(() => checkImportPath('data.csv'))).toMatch(/relative/);
    // A missing file is "not found" (its own title in the app), not a refused path.
    expect(rejected(() => checkImportPath(join(dir, 'nope.csv')), 'not_found')).toMatch(/does not exist/);
    expect(rejected(() => checkImportPath(join(dir, 'out')))).toMatch(/not a regular file/);
  });
});

describe('resolveExportPath', () => {
  it('resolves names and sub-folders inside the folder', () => {
    const out = join(dir, 'out');
    expect(resolveExportPath(out, 'a.jsonl')).toBe(join(out, 'a.jsonl'));
    expect(resolveExportPath(out, 'sub/deeper/a.jsonl')).toBe(join(out, 'sub/deeper/a.jsonl'));
    expect(resolveExportPath(out, 'x/../a.jsonl')).toBe(join(out, 'a.jsonl'));
    expect(resolveExportPath(out, '..notes.jsonl')).toBe(join(out, '..notes.jsonl'));
  });
  it('rejects ../ escapes and absolute names', () => {
    const out = join(dir, 'out');
    expect(rejected(() => resolveExportPath(out, '../elsewhere/a.jsonl'))).toMatch(/leaves the export folder/);
    expect(rejected(() => resolveExportPath(out, 'a/../../x'))).toMatch(/leaves/);
    expect(rejected(() => resolveExportPath(out, join(dir, 'elsewhere', 'a')))).toMatch(/relative/);
  });
  it('rejects symlinked folders and files that point outside', () => {
    const out = join(dir, 'out');
    symlinkSync(join(dir, 'elsewhere'), join(out, 'link'));
    symlinkSync(join(dir, 'data.csv'), join(out, 'file-link.csv'));
    expect(rejected(() => resolveExportPath(out, 'link/a.jsonl'))).toMatch(/symbolic link/);
    expect(rejected(() => resolveExportPath(out, 'file-link.csv'))).toMatch(/symbolic link/);
  });
});
