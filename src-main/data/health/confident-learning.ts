// Confident learning (Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
// Labels", JAIR 2021): per-class thresholds, the confident joint, and the examples off its diagonal ranked
// by self-confidence. Input: out-of-sample predicted probabilities, one row per example.

/** Row-major [rows, classes] probabilities, each row summing to 1. */
export interface ProbMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly classes: number;
}

/** One example whose given label confident learning doubts. */
export interface LabelIssue {
  /** 0-based row. */
  readonly row: number;
  readonly given: number;
  /** The class whose threshold the example clears with the highest probability. */
  readonly suggested: number;
  /** Out-of-sample probability of the given label (the paper's self-confidence; low = likely wrong). */
  readonly selfConfidence: number;
}

export interface ConfidentLearningResult {
  /** t_j: mean predicted probability of class j over the examples labelled j. */
  readonly thresholds: readonly number[];
  /** C[i][j]: examples labelled i confidently belonging to j. */
  readonly confidentJoint: readonly (readonly number[])[];
  /** Off-diagonal examples of the confident joint, least self-confident first; their count is CL's estimate. */
  readonly issues: readonly LabelIssue[];
}

/** Per-class thresholds t_j = mean p(j | x) over examples labelled j (NaN for a class with no examples). */
export function perClassThresholds(labels: readonly number[], probs: ProbMatrix): number[] {
  const sum = new Array<number>(probs.classes).fill(0);
  const count = new Array<number>(probs.classes).fill(0);
  labels.forEach((y, i) => {
    sum[y]! += probs.data[i * probs.classes + y]!;
    count[y]! += 1;
  });
  return sum.map((s, j) => (count[j]! > 0 ? s / count[j]! : Number.NaN));
}

/**
 * The confident joint and the label issues. An example counts in C[y][j] for the j with the highest
 * probability among the classes whose threshold it reaches; one that reaches no threshold is not counted.
 * Issues are the examples counted off the diagonal (the paper's C_confusion-style "confident joint" method).
 */
export function confidentLearning(labels: readonly number[], probs: ProbMatrix): ConfidentLearningResult {
  if (labels.length !== probs.rows) {
    throw new Error(`confidentLearning: ${labels.length} labels for ${probs.rows} probability rows; pass one per row.`);
  }
  const k = probs.classes;
  const thresholds = perClassThresholds(labels, probs);
  const joint = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const issues: LabelIssue[] = [];
  labels.forEach((y, i) => {
    let best = -1;
    let bestP = -Infinity;
    for (let j = 0; j < k; j++) {
      const p = probs.data[i * k + j]!;
      // A class no example carries has no threshold: nothing can be confidently in it.
      if (!(p >= thresholds[j]!)) continue;
      if (p > bestP) {
        bestP = p;
        best = j;
      }
    }
    if (best < 0) return;
    joint[y]![best]! += 1;
    if (best !== y) issues.push({ row: i, given: y, suggested: best, selfConfidence: probs.data[i * k + y]! });
  });
  issues.sort((a, b) => a.selfConfidence - b.selfConfidence || a.row - b.row);
  return { thresholds, confidentJoint: joint, issues };
}
