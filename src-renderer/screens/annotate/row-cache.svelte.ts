/**
 * Pages of example rows for the virtualized list: only the pages under the viewport are fetched, a filter
 * change starts a new generation (answers for the old filter are dropped), and edited rows are patched in
 * place so the list does not jump while someone reviews.
 */
import type { ApiError, ExampleId, ExampleRow, ExampleRowPage, Result } from '../../../src-preload/contract';

export const PAGE_SIZE = 200;

export type FetchPage = (offset: number, limit: number) => Promise<Result<ExampleRowPage>>;

export class RowCache {
  /** Rows matching the filter; null until the first page answers. */
  total = $state<number | null>(null);
  error = $state.raw<ApiError | null>(null);
  // Bumped whenever a page lands or a row changes: the list reads it to re-render.
  #version = $state(0);
  // Plain collections on purpose: `#version` signals a change once per landed page, not once per key.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pages = new Map<number, readonly ExampleRow[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #loading = new Set<number>();
  #generation = 0;
  #fetch: FetchPage | null = null;

  /** Starts over with a new filter (or clears the list with null). */
  reset(fetch: FetchPage | null): void {
    this.#generation += 1;
    this.#fetch = fetch;
    this.#pages.clear();
    this.#loading.clear();
    this.total = null;
    this.error = null;
    this.#version += 1;
  }

  /** Drops the cached pages but keeps the total, so visible rows refetch without the list collapsing. */
  invalidate(): void {
    this.#generation += 1;
    this.#pages.clear();
    this.#loading.clear();
    this.#version += 1;
  }

  /** The row at `index`, or undefined while its page is loading. */
  row(index: number): ExampleRow | undefined {
    void this.#version;
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Fetches the pages covering rows [from, to] that are neither cached nor on their way. */
  ensure(from: number, to: number): Promise<void> {
    // Read so a caller's effect runs again after reset/invalidate, when the rows in view must be refetched.
    void this.#version;
    const fetch = this.#fetch;
    if (fetch === null) return Promise.resolve();
    // Before the first answer the total is unknown: every requested page is asked for.
    const last = this.total === null ? Infinity : Math.floor((this.total - 1) / PAGE_SIZE);
    const waits: Promise<void>[] = [];
    for (let p = Math.floor(Math.max(from, 0) / PAGE_SIZE); p <= Math.min(Math.floor(to / PAGE_SIZE), last); p += 1) {
      if (this.#pages.has(p) || this.#loading.has(p)) continue;
      waits.push(this.#load(fetch, p));
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Replaces the cached row with the same id (after an edit). */
  patch(row: ExampleRow): void {
    for (const [p, rows] of this.#pages) {
      const i = rows.findIndex((r) => r.id === row.id);
      if (i < 0) continue;
      this.#pages.set(p, rows.with(i, row));
      this.#version += 1;
    }
  }

  /** The list position of a cached row, or -1. */
  indexOf(id: ExampleId): number {
    void this.#version;
    for (const [p, rows] of this.#pages) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * PAGE_SIZE + i;
    }
    return -1;
  }

  async #load(fetch: FetchPage, page: number): Promise<void> {
    const generation = this.#generation;
    this.#loading.add(page);
    const result = await fetch(page * PAGE_SIZE, PAGE_SIZE);
    if (generation !== this.#generation) return;
    this.#loading.delete(page);
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.total = result.value.total;
    this.#pages.set(page, result.value.items);
    this.#version += 1;
  }
}
