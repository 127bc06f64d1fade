import { prf, type Prf } from './ner';

/** Classification scores; `confusion[i][j]` counts true class labels[i] predicted as labels[j]. */
export interface ClassificationScores {
  readonly accuracy: number;
  /** Unweighted mean of per-class F1 over `labels` (sklearn's average='macro'). */
  readonly macroF1: number;
  readonly labels: readonly string[];
  readonly perClass: Readonly<Record<string, Prf>>;
  readonly confusion: readonly (readonly number[])[];
  readonly count: number;
}

export class ClassificationInputError extends Error {
  override readonly name = 'ClassificationInputError';
}

/**
 * Accuracy, macro-F1, per-class P/R/F1/support and the confusion matrix.
 * `labels` fixes the class order; by default it is the sorted union of true and predicted labels.
 */
export function classificationScores(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels?: readonly string[],
): ClassificationScores {
  if (yTrue.length !== yPred.length) {
    throw new ClassificationInputError(
      `${yTrue.length} true labels but ${yPred.length} predictions: pass one prediction per example.`,
    );
  }
  const order = labels ?? [...new Set([...yTrue, ...yPred])].sort();
  const index = new Map(order.map((l, i) => [l, i] as const));
  const k = order.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]);
    const p = index.get(yPred[i]);
    if (t === undefined || p === undefined) {
      const bad = t === undefined ? yTrue[i] : yPred[i];
      throw new ClassificationInputError(
        `Label "${bad}" at example ${i} is not in the label set [${order.join(', ')}]; add it to \`labels\`.`,
      );
    }
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClass: Record<string, Prf> = {};
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    let pred = 0;
    let gold = 0;
    for (let j = 0; j < k; j++) {
      pred += confusion[j][c];
      gold += confusion[c][j];
    }
    const row = prf(confusion[c][c], pred, gold);
    perClass[order[c]] = row;
    f1Sum += row.f1;
  }
  return {
    accuracy: yTrue.length === 0 ? 0 : correct / yTrue.length,
    macroF1: k === 0 ? 0 : f1Sum / k,
    labels: order,
    perClass,
    confusion,
    count: yTrue.length,
  };
}
