// Class balance and length outliers: cheap checks that need no model.

export interface ClassCount {
  readonly label: string;
  readonly count: number;
  readonly share: number;
}

export interface ClassBalance {
  /** Most frequent first. */
  readonly classes: readonly ClassCount[];
  /** Largest class count over smallest (1 = balanced; Infinity never: only classes present are listed). */
  readonly imbalanceRatio: number;
  readonly unlabelled: number;
}

/** Counts per class label; rows without a label are counted apart. */
export function classBalance(labels: readonly (string | undefined)[]): ClassBalance {
  const counts = new Map<string, number>();
  let unlabelled = 0;
  for (const l of labels) {
    if (l === undefined) unlabelled++;
    else counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const total = labels.length - unlabelled;
  const classes = [...counts]
    .map(([label, count]) => ({ label, count, share: total > 0 ? count / total : 0 }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const imbalanceRatio = classes.length > 0 ? classes[0]!.count / classes[classes.length - 1]!.count : 1;
  return { classes, imbalanceRatio, unlabelled };
}

export interface LengthOutlier {
  /** 0-based row. */
  readonly row: number;
  readonly words: number;
  readonly kind: 'short' | 'long';
}

export interface LengthStats {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  /** Rows outside [lowFence, highFence] words are outliers. */
  readonly lowFence: number;
  readonly highFence: number;
  readonly outliers: readonly LengthOutlier[];
}

/** Whitespace-separated words in a text. */
export function wordCount(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/u).length;
}

/**
 * Tukey's far-out fences on word counts: below Q1 - 3 IQR or above Q3 + 3 IQR, and never fewer than 1 word
 * (an empty text is always an outlier). Longest and shortest first.
 */
export function lengthOutliers(texts: readonly string[]): LengthStats {
  const words = texts.map(wordCount);
  const sorted = [...words].sort((a, b) => a - b);
  const q = (p: number): number => quantile(sorted, p);
  const q1 = q(0.25);
  const q3 = q(0.75);
  const iqr = q3 - q1;
  const lowFence = Math.max(1, q1 - 3 * iqr);
  const highFence = q3 + 3 * iqr;
  const outliers: LengthOutlier[] = [];
  words.forEach((w, row) => {
    if (w < lowFence) outliers.push({ row, words: w, kind: 'short' });
    else if (w > highFence) outliers.push({ row, words: w, kind: 'long' });
  });
  outliers.sort((a, b) => Math.abs(b.words - q(0.5)) - Math.abs(a.words - q(0.5)) || a.row - b.row);
  return { median: q(0.5), q1, q3, lowFence, highFence, outliers };
}

// Linear interpolation between closest ranks (numpy's default).
function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
