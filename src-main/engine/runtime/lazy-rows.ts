import type { LazyRowsLayout } from '../step-graph';
import { FeedError } from './errors';
import { type HostTensor, hostTensor } from './tensor';

/** The row inputs of a lazily updated table for one batch: distinct ids and each id's index into them. */
interface BatchRows {
  /** int64 [U]: the distinct ids, in order of first appearance. */
  readonly rows: HostTensor;
  /** int64, the ids' dims: rows[inverse[i]] = ids[i]. */
  readonly inverse: HostTensor;
}

/**
 * Computes the row inputs of the layout's lazy tables from each step's ids (TrainingGraphLayout.lazyRows),
 * in one pass over the ids with a per-table stamp array (no clearing between batches).
 */
export class LazyRowFeeds {
  private readonly tables: readonly { readonly layout: LazyRowsLayout; readonly rows: DistinctRows }[];

  constructor(layouts: readonly LazyRowsLayout[]) {
    this.tables = layouts.map((layout) => ({ layout, rows: new DistinctRows(layout.tableRows) }));
  }

  /** Adds every lazy table's row inputs, derived from the batch's ids, to `feeds`. */
  feed<T>(feeds: Record<string, T>, batch: Readonly<Record<string, HostTensor>>, convert: (t: HostTensor) => T): void {
    for (const { layout, rows } of this.tables) {
      const ids = batch[layout.idsInput];
      if (!ids || ids.dtype !== 'int64') {
        throw new FeedError(
          layout.idsInput,
          `lazy row updates of '${layout.param}' need the int64 batch input '${layout.idsInput}', got ${ids ? ids.dtype : 'none'}.`,
        );
      }
      const r = rows.of(ids, layout);
      feeds[layout.rowsInput] = convert(r.rows);
      feeds[layout.inverseInput] = convert(r.inverse);
    }
  }
}

/** Distinct ids of a batch for one table of `size` rows. */
class DistinctRows {
  private readonly stamp: Int32Array;
  private readonly index: Int32Array;
  private generation = 0;

  constructor(readonly size: number) {
    this.stamp = new Int32Array(size);
    this.index = new Int32Array(size);
  }

  /** rows (distinct ids in order of first appearance) and inverse (each id's index into rows). */
  of(ids: Extract<HostTensor, { dtype: 'int64' }>, layout: Pick<LazyRowsLayout, 'param' | 'idsInput'>): BatchRows {
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    const gen = this.generation;
    const inverse = new BigInt64Array(ids.data.length);
    const found: number[] = [];
    for (let i = 0; i < ids.data.length; i++) {
      const id = Number(ids.data[i]!);
      if (!(id >= 0 && id < this.size)) {
        throw new FeedError(
          layout.idsInput,
          `'${layout.idsInput}' holds id ${id} at position ${i}, outside the ${this.size} rows of '${layout.param}'; ids must be in 0..${this.size - 1} (was the data tokenized with another vocabulary?).`,
        );
      }
      if (this.stamp[id] !== gen) {
        this.stamp[id] = gen;
        this.index[id] = found.length;
        found.push(id);
      }
      inverse[i] = BigInt(this.index[id]!);
    }
    return {
      rows: hostTensor('int64', BigInt64Array.from(found, BigInt), [found.length]),
      inverse: hostTensor('int64', inverse, ids.dims),
    };
  }
}
