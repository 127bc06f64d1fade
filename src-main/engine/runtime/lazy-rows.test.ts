import { describe, expect, it } from 'vitest';
import { FeedError } from './errors';
import { LazyRowFeeds } from './lazy-rows';
import { hostTensor, type HostTensor } from './tensor';

const layout = {
  param: 'table',
  idsInput: 'ids',
  rowsInput: 'table.rows',
  inverseInput: 'table.row_of_id',
  tableRows: 8,
};
const ids = (values: readonly number[], dims: readonly number[]): HostTensor =>
  hostTensor('int64', BigInt64Array.from(values, BigInt), dims);
const numbers = (t: HostTensor | undefined): number[] => Array.from(t!.data as BigInt64Array, Number);

describe('LazyRowFeeds', () => {
  it('gives the distinct ids in order of first appearance and each id its index, batch after batch', () => {
    const feeds = new LazyRowFeeds([layout]);
    const first: Record<string, HostTensor> = {};
    feeds.feed(first, { ids: ids([5, 0, 5, 3, 0, 0], [2, 3]) }, (t) => t);
    expect(numbers(first['table.rows'])).toEqual([5, 0, 3]);
    expect(numbers(first['table.row_of_id'])).toEqual([0, 1, 0, 2, 1, 1]);
    expect(first['table.row_of_id']!.dims).toEqual([2, 3]);
    // The stamps of the first batch must not leak into the second.
    const second: Record<string, HostTensor> = {};
    feeds.feed(second, { ids: ids([3, 7, 3, 1], [1, 4]) }, (t) => t);
    expect(numbers(second['table.rows'])).toEqual([3, 7, 1]);
    expect(numbers(second['table.row_of_id'])).toEqual([0, 1, 0, 2]);
  });

  it('refuses ids outside the table and a batch without its int64 ids, naming the input', () => {
    const feeds = new LazyRowFeeds([layout]);
    expect(() => feeds.feed({}, { ids: ids([1, 8], [1, 2]) }, (t) => t)).toThrow(
      /id 8 at position 1, outside the 8 rows of 'table'/,
    );
    expect(() => feeds.feed({}, { other: ids([1], [1, 1]) }, (t) => t)).toThrow(FeedError);
  });
});
