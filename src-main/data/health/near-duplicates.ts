// Near duplicates over unit-length embeddings: exact cosine similarities computed block by block, so memory
// stays at one [block, N] slab whatever N is. The product itself is a port (ORT in the app, plain loops in
// tests), which keeps this file free of I/O and of the runtime.

/** Row-major unit-length vectors: `data` holds `rows` x `dim` floats. */
export interface Vectors {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** a [aRows, dim] times b [bRows, dim] transposed: the [aRows, bRows] dot products, row-major. */
export type BlockProduct = (a: Vectors, b: Vectors) => Promise<Float32Array>;

/** Two rows (0-based, a < b within one set) and the cosine similarity of their embeddings. */
export interface SimilarPair {
  readonly a: number;
  readonly b: number;
  readonly similarity: number;
}

export interface PairSearchOptions {
  /** Pairs at or above this cosine similarity are reported. */
  readonly threshold: number;
  /** Query rows per product (memory: blockRows x N floats). Default 512. */
  readonly blockRows?: number;
  /** Stop collecting after this many pairs (a threshold far too low); `truncated` says so. Default 200,000. */
  readonly maxPairs?: number;
  /** Called after each block with rows done and total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PairSearchResult {
  readonly pairs: readonly SimilarPair[];
  readonly truncated: boolean;
}

/** The [start, end) rows of `v` as their own Vectors (a view, no copy). */
export function sliceRows(v: Vectors, start: number, end: number): Vectors {
  return { data: v.data.subarray(start * v.dim, end * v.dim), rows: end - start, dim: v.dim };
}

/** Every pair (a < b) of rows of `v` whose cosine similarity is at least the threshold, most similar first. */
export async function similarPairs(
  v: Vectors,
  product: BlockProduct,
  options: PairSearchOptions,
): Promise<PairSearchResult> {
  const { pairs, truncated } = await scanNeighbours(v, product, { ...options, neighbours: 0 });
  return { pairs, truncated };
}

/** Each row's nearest other rows: `index[i * k + m]` is row i's m-th nearest, `similarity` the same cell. */
export interface Neighbours {
  readonly k: number;
  readonly index: Int32Array;
  readonly similarity: Float32Array;
}

/**
 * One pass over all [block, N] similarity slabs: the pairs above the threshold and, when `neighbours` > 0,
 * each row's `neighbours` most similar other rows (for the leave-one-out kNN of the label check).
 */
export async function scanNeighbours(
  v: Vectors,
  product: BlockProduct,
  options: PairSearchOptions & { readonly neighbours: number },
): Promise<PairSearchResult & { readonly neighbours: Neighbours }> {
  const block = options.blockRows ?? 512;
  const maxPairs = options.maxPairs ?? 200_000;
  const k = Math.min(options.neighbours, Math.max(0, v.rows - 1));
  const index = new Int32Array(v.rows * k).fill(-1);
  const similarity = new Float32Array(v.rows * k).fill(-Infinity);
  const pairs: SimilarPair[] = [];
  let truncated = false;
  for (let start = 0; start < v.rows; start += block) {
    const end = Math.min(v.rows, start + block);
    // Without neighbours, only the rows from `start` on: earlier pairs were found when those rows were queries.
    const from = k > 0 ? 0 : start;
    const sims = await product(sliceRows(v, start, end), sliceRows(v, from, v.rows));
    const width = v.rows - from;
    for (let i = 0; i < end - start; i++) {
      const row = start + i;
      const at = i * width;
      for (let j = row + 1 - from; j < width && !truncated; j++) {
        const s = sims[at + j]!;
        if (s < options.threshold) continue;
        pairs.push({ a: row, b: from + j, similarity: s });
        if (pairs.length >= maxPairs) truncated = true;
      }
      if (k > 0)
        topK(
          sims.subarray(at, at + width),
          row,
          k,
          index.subarray(row * k, (row + 1) * k),
          similarity.subarray(row * k, (row + 1) * k),
        );
    }
    options.onProgress?.(end, v.rows);
  }
  pairs.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
  return { pairs, truncated, neighbours: { k, index, similarity } };
}

// The k largest entries of `sims` other than `self`, sorted descending, by insertion into a short sorted list
// (k is small; most entries fail the first comparison with the current k-th best).
function topK(sims: Float32Array, self: number, k: number, index: Int32Array, best: Float32Array): void {
  for (let j = 0; j < sims.length; j++) {
    const s = sims[j]!;
    if (j === self || !(s > best[k - 1]!)) continue;
    let m = k - 1;
    while (m > 0 && best[m - 1]! < s) {
      best[m] = best[m - 1]!;
      index[m] = index[m - 1]!;
      m--;
    }
    best[m] = s;
    index[m] = j;
  }
}

/** For each query row, the corpus row most similar to it when that similarity reaches the threshold. */
export async function bestMatches(
  queries: Vectors,
  corpus: Vectors,
  product: BlockProduct,
  options: Pick<PairSearchOptions, 'threshold' | 'blockRows'>,
): Promise<({ readonly row: number; readonly similarity: number } | null)[]> {
  const block = options.blockRows ?? 512;
  const out: ({ readonly row: number; readonly similarity: number } | null)[] = [];
  for (let start = 0; start < queries.rows; start += block) {
    const end = Math.min(queries.rows, start + block);
    const sims = await product(sliceRows(queries, start, end), corpus);
    for (let i = 0; i < end - start; i++) {
      let best = -1;
      let bestSim = -Infinity;
      for (let j = 0; j < corpus.rows; j++) {
        const s = sims[i * corpus.rows + j]!;
        if (s > bestSim) {
          bestSim = s;
          best = j;
        }
      }
      out.push(best >= 0 && bestSim >= options.threshold ? { row: best, similarity: bestSim } : null);
    }
  }
  return out;
}

/** The plain-loop product: exact, slow for large N; tests and tiny inputs use it. */
export const loopProduct: BlockProduct = (a, b) => {
  if (a.dim !== b.dim) throw new Error(`Vector widths differ: ${a.dim} vs ${b.dim}; embed both with one encoder.`);
  const out = new Float32Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < a.dim; k++) s += a.data[i * a.dim + k]! * b.data[j * b.dim + k]!;
      out[i * b.rows + j] = s;
    }
  }
  return Promise.resolve(out);
};

/** Scales each row to unit length in place (a zero row stays zero: it is similar to nothing). */
export function normaliseRows(v: Vectors): Vectors {
  for (let i = 0; i < v.rows; i++) {
    const row = v.data.subarray(i * v.dim, (i + 1) * v.dim);
    let n = 0;
    for (const x of row) n += x * x;
    if (n > 0) {
      const s = 1 / Math.sqrt(n);
      for (let k = 0; k < row.length; k++) row[k] = row[k]! * s;
    }
  }
  return v;
}
