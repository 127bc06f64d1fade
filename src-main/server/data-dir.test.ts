import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './data-dir';

describe('defaultDataDir', () => {
  it('prefers MTS_DATA_DIR, resolved to an absolute path', () => {
    expect(defaultDataDir({ MTS_DATA_DIR: 'rel/data' }, 'linux', '/home/u')).toBe(path.resolve('rel/data'));
  });

  it('follows each platform convention', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/multitask-studio');
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/multitask-studio');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Multitask Studio');
    expect(defaultDataDir({ APPDATA: '/appdata' }, 'win32', '/u')).toBe(path.join('/appdata', 'Multitask Studio'));
  });
});
