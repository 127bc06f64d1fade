// Leave-one-out k-nearest-neighbour class probabilities over sentence embeddings: out-of-sample by
// construction (a row is never its own neighbour), and on frozen MiniLM features more accurate than a
// linear head (bench:health), so the label check averages the two.
import type { ProbMatrix } from './confident-learning';
import type { Neighbours } from './near-duplicates';

export interface KnnOptions {
  /** Neighbours that vote (at most neighbours.k). Default 50. */
  readonly k?: number;
  /** Softness of the similarity weights exp((s - 1) / tau). Default 0.1. */
  readonly tau?: number;
}

/**
 * p(c | row) = (sum of weights of the row's neighbours labelled c + 0.01) / (sum of all weights + 0.01 C).
 * `labels[i]` is row i's class or -1 when it has none (such neighbours do not vote).
 * Rows of `neighbours` are input rows; `rows` picks (and orders) the rows to score.
 */
export function knnProbs(
  neighbours: Neighbours,
  labels: readonly number[],
  classes: number,
  rows: readonly number[],
  options: KnnOptions = {},
): ProbMatrix {
  const k = Math.min(options.k ?? 50, neighbours.k);
  const tau = options.tau ?? 0.1;
  const data = new Float32Array(rows.length * classes);
  rows.forEach((r, i) => {
    let total = 0;
    for (let m = 0; m < k; m++) {
      const j = neighbours.index[r * neighbours.k + m]!;
      if (j < 0 || labels[j]! < 0) continue;
      const w = Math.exp((neighbours.similarity[r * neighbours.k + m]! - 1) / tau);
      data[i * classes + labels[j]!]! += w;
      total += w;
    }
    // A small prior keeps rows without labelled neighbours uniform instead of 0/0.
    for (let c = 0; c < classes; c++)
      data[i * classes + c] = (data[i * classes + c]! + 0.01) / (total + 0.01 * classes);
  });
  return { data, rows: rows.length, classes };
}
