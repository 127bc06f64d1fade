import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelRef, resolveLocalModel } from './resolve';

describe('model references', () => {
  it('reads org/name with an optional @revision, and nothing else', () => {
    expect(parseModelRef('acme/bert')).toEqual({ repoId: 'acme/bert', revision: 'main' });
    expect(parseModelRef('acme/bert@v1.0')).toEqual({ repoId: 'acme/bert', revision: 'v1.0' });
    expect(parseModelRef('acme/bert@refs/pr/3')).toEqual({ repoId: 'acme/bert', revision: 'refs/pr/3' });
    for (const bad of ['bert', './models/bert', '/abs/folder', 'acme/bert@', 'acme/bert@a b', 'a/b/c']) {
      expect(parseModelRef(bad)).toBeNull();
    }
  });

  it('keeps a folder as it is, even one whose name looks like org/name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mts-ref-'));
    try {
      expect(resolveLocalModel(dir)).toEqual({ dir, repoId: null });
      expect(resolveLocalModel('not/a folder at all')).toEqual({ dir: 'not/a folder at all', repoId: null });
      expect(() => resolveLocalModel('acme/bert', { HF_HUB_CACHE: dir })).toThrow(
        expect.objectContaining({ code: 'not_found', message: expect.stringMatching(/not downloaded yet/) }),
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
