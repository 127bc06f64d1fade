import { describe, expect, it } from 'vitest';
import { folderOf, shortSize } from './file-picker-state.svelte';

describe('folderOf', () => {
  it('returns the folder of absolute POSIX and Windows paths', () => {
    expect(folderOf('/home/me/data/train.csv')).toBe('/home/me/data');
    expect(folderOf('/train.csv')).toBe('/');
    expect(folderOf('C:\\data\\train.csv')).toBe('C:\\data');
  });

  it('returns undefined for relative or empty input', () => {
    expect(folderOf('data/train.csv')).toBeUndefined();
    expect(folderOf('')).toBeUndefined();
  });
});

describe('shortSize', () => {
  it('uses B below 1000 and one decimal below 10 units', () => {
    expect(shortSize(999)).toBe('999 B');
    expect(shortSize(1536)).toBe('1.5 KB');
    expect(shortSize(12_400_000)).toBe('12 MB');
  });
});
