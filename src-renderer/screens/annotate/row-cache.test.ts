import { describe, expect, it } from 'vitest';
import type { ExampleId, ExampleRow, ExampleRowPage, Result } from '../../../src-preload/contract';
import { PAGE_SIZE, RowCache } from './row-cache.svelte';

const row = (i: number, preview = `row ${i}`): ExampleRow => ({
  id: (i + 1) as ExampleId,
  line: i + 2,
  preview,
  textLength: preview.length,
  split: 'train',
  classLabel: null,
  status: 'pending',
  spanCounts: { silver: 0, gold: 0, model: 0 },
  modelConfidence: null,
});

/** A fake backend of `total` rows that records which offsets were asked for. */
function backend(total: number) {
  const asked: number[] = [];
  const fetch = (offset: number, limit: number): Promise<Result<ExampleRowPage>> => {
    asked.push(offset);
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => row(offset + i));
    return Promise.resolve({ ok: true, value: { items, total, offset } });
  };
  return { asked, fetch };
}

describe('RowCache', () => {
  it('fetches only the pages covering the requested rows, once each', async () => {
    const b = backend(20_000);
    const cache = new RowCache();
    cache.reset(b.fetch);
    await cache.ensure(0, 10);
    expect(cache.total).toBe(20_000);
    await cache.ensure(10_000, 10_030);
    await cache.ensure(10_001, 10_020);
    expect(b.asked).toEqual([0, 10_000 - (10_000 % PAGE_SIZE)]);
    expect(cache.row(10_005)?.preview).toBe('row 10005');
    expect(cache.row(5_000)).toBeUndefined();
  });

  it('drops answers that arrive after a reset (an older filter)', async () => {
    let release: (() => void) | null = null;
    const slow = (): Promise<Result<ExampleRowPage>> =>
      new Promise((resolve) => {
        release = () => resolve({ ok: true, value: { items: [row(0, 'stale')], total: 1, offset: 0 } });
      });
    const cache = new RowCache();
    cache.reset(slow);
    const pending = cache.ensure(0, 0);
    const b = backend(3);
    cache.reset(b.fetch);
    await cache.ensure(0, 2);
    (release as (() => void) | null)?.();
    await pending;
    expect([cache.total, cache.row(0)?.preview]).toEqual([3, 'row 0']);
  });

  it('patches an edited row in place, and refetches after invalidate', async () => {
    const b = backend(450);
    const cache = new RowCache();
    cache.reset(b.fetch);
    await cache.ensure(0, 300);
    cache.patch({ ...row(250), status: 'reviewed' });
    expect(cache.row(250)?.status).toBe('reviewed');
    expect(cache.indexOf((250 + 1) as ExampleId)).toBe(250);
    cache.invalidate();
    expect([cache.total, cache.row(250)]).toEqual([450, undefined]);
    await cache.ensure(240, 260);
    expect(cache.row(250)?.status).toBe('pending');
  });

  it('keeps a failed page as an error and asks again on the next ensure', async () => {
    let fail = true;
    const cache = new RowCache();
    const b = backend(5);
    cache.reset((offset, limit) =>
      fail
        ? Promise.resolve({ ok: false, error: { code: 'transport', message: 'Cannot reach the server.' } })
        : b.fetch(offset, limit),
    );
    await cache.ensure(0, 4);
    expect(cache.error?.message).toBe('Cannot reach the server.');
    fail = false;
    await cache.ensure(0, 4);
    expect(cache.row(4)?.preview).toBe('row 4');
  });
});
