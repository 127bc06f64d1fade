// Confident learning (Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
// Labels", JAIR 2021): per-class thresholds, the confident joint, its off-diagonal count as the number of
// label issues, and that many examples with the lowest self-confidence as the issues (cleanlab's
// 'low_self_confidence' filter). Input: out-of-sample predicted probabilities, one row per example.

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
  /** The most probable class other than the given one. */
  readonly suggested: number;
  /** Out-of-sample probability of the given label (the paper's self-confidence; low = likely wrong). */
  readonly selfConfidence: number;
}

export interface ConfidentLearningResult {
  /** t_j: mean predicted probability of class j over the examples labelled j. */
  readonly thresholds: readonly number[];
  /** C[i][j]: examples labelled i confidently belonging to j. */
  readonly confidentJoint: readonly (readonly number[])[];
  /**
   * CL's estimate of the number of issues (off-diagonal examples of the confident joint whose most probable
   * class is not the given one), filled with the examples of lowest self-confidence, least confident first.
   */
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
 * The number of issues is the count off the diagonal, less the examples whose most probable class is the
 * given one (cleanlab's num_label_issues); the issues are that many examples, among those whose most
 * probable class is not the given one, with the lowest self-confidence. Ranking by self-confidence rather
 * than taking the off-diagonal examples themselves matters where classes overlap: an off-diagonal example
 * can hold its given label with fair probability, while one that reaches no threshold can hold it with almost
 * none (bench:health: precision 0.52 -> 0.61 at the same count).
 */
export function confidentLearning(labels: readonly number[], probs: ProbMatrix): ConfidentLearningResult {
  if (labels.length !== probs.rows) {
    throw new Error(`confidentLearning: ${labels.length} labels for ${probs.rows} probability rows; pass one per row.`);
  }
  const k = probs.classes;
  const thresholds = perClassThresholds(labels, probs);
  const joint = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const candidates: LabelIssue[] = [];
  let count = 0;
  labels.forEach((y, i) => {
    let best = -1;
    let bestP = -Infinity;
    let other = -1;
    for (let j = 0; j < k; j++) {
      const p = probs.data[i * k + j]!;
      if (j !== y && (other < 0 || p > probs.data[i * k + other]!)) other = j;
      // A class no example carries has no threshold: nothing can be confidently in it.
      if (!(p >= thresholds[j]!)) continue;
      if (p > bestP) {
        bestP = p;
        best = j;
      }
    }
    const selfConfidence = probs.data[i * k + y]!;
    const mislabelledByArgmax = other >= 0 && probs.data[i * k + other]! > selfConfidence;
    if (mislabelledByArgmax) candidates.push({ row: i, given: y, suggested: other, selfConfidence });
    if (best < 0) return;
    joint[y]![best]! += 1;
    if (best !== y && mislabelledByArgmax) count++;
  });
  candidates.sort((a, b) => a.selfConfidence - b.selfConfidence || a.row - b.row);
  return { thresholds, confidentJoint: joint, issues: candidates.slice(0, count) };
}
