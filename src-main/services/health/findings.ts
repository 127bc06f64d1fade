// From the pure checks' 0-based results to the report's findings in data-row numbers.
import {
  exactDuplicateGroups,
  exactMatches,
  normaliseText,
  type LabelCheckResult,
  type SimilarPair,
} from '../../data/health';
import type { DataRow } from './read';
import type {
  DevAccuracy,
  ExactDuplicateFinding,
  LabelConflictFinding,
  LabelErrorFinding,
  LeakageFinding,
  NearDuplicateFinding,
} from './report';

/** Groups of rows with the same normalised text. */
export function exactDuplicateFindings(rows: readonly DataRow[]): ExactDuplicateFinding[] {
  return exactDuplicateGroups(rows.map((r) => r.text)).map((g) => ({
    lines: g.rows.map((i) => rows[i]!.row),
    labels: g.rows.map((i) => rows[i]!.label ?? null),
  }));
}

/** Similar pairs whose normalised texts differ (equal ones are exact duplicates, reported apart). */
export function nearDuplicateFindings(rows: readonly DataRow[], pairs: readonly SimilarPair[]): NearDuplicateFinding[] {
  return pairs
    .filter((p) => normaliseText(rows[p.a]!.text) !== normaliseText(rows[p.b]!.text))
    .map((p) => ({ a: rows[p.a]!.row, b: rows[p.b]!.row, similarity: round(p.similarity) }));
}

/** Exact groups with more than one label, then near pairs with two different labels. */
export function labelConflictFindings(
  exact: readonly ExactDuplicateFinding[],
  near: readonly NearDuplicateFinding[],
  rows: readonly DataRow[],
): LabelConflictFinding[] {
  const byRow = new Map(rows.map((r) => [r.row, r]));
  const out: LabelConflictFinding[] = [];
  for (const g of exact) {
    const labels = g.labels.filter((l): l is string => l !== null);
    if (new Set(labels).size > 1)
      out.push({ lines: g.lines, labels: g.labels.map((l) => l ?? ''), kind: 'exact', similarity: 1 });
  }
  for (const p of near) {
    const la = byRow.get(p.a)!.label;
    const lb = byRow.get(p.b)!.label;
    if (la !== undefined && lb !== undefined && la !== lb) {
      out.push({ lines: [p.a, p.b], labels: [la, lb], kind: 'near', similarity: p.similarity });
    }
  }
  return out;
}

/** Dev rows whose normalised text occurs in train: the exact half of leakage. */
export function exactLeakage(train: readonly DataRow[], dev: readonly DataRow[]): Map<number, LeakageFinding> {
  const matches = exactMatches(
    dev.map((r) => r.text),
    train.map((r) => r.text),
  );
  const out = new Map<number, LeakageFinding>();
  matches.forEach((t, d) => {
    if (t >= 0) out.set(d, { devLine: dev[d]!.row, trainLine: train[t]!.row, similarity: 1, exact: true });
  });
  return out;
}

/** The label-error findings: confident learning's off-diagonal rows, least self-confident first. */
export function labelErrorFindings(
  rows: readonly DataRow[],
  check: Extract<LabelCheckResult, { kind: 'done' }>,
): LabelErrorFinding[] {
  return check.cl.issues.map((is) => ({
    line: rows[is.row]!.row,
    given: check.classes[is.given]!,
    suggested: check.classes[is.suggested]!,
    score: round(1 - is.selfConfidence),
  }));
}

/** Accuracy of `predicted` on the labelled dev rows, overall and without the leaked ones. */
export function devAccuracy(
  dev: readonly DataRow[],
  predicted: readonly (string | null)[],
  leakedRows: ReadonlySet<number>,
  source: DevAccuracy['source'],
): DevAccuracy | null {
  let n = 0;
  let hits = 0;
  let cleanN = 0;
  let cleanHits = 0;
  let leaked = 0;
  dev.forEach((r, i) => {
    if (r.label === undefined) return;
    const ok = predicted[i] === r.label ? 1 : 0;
    n++;
    hits += ok;
    if (leakedRows.has(i)) leaked++;
    else {
      cleanN++;
      cleanHits += ok;
    }
  });
  if (n === 0) return null;
  return {
    source,
    examples: n,
    accuracy: round(hits / n),
    leaked,
    accuracyWithoutLeaked: cleanN > 0 ? round(cleanHits / cleanN) : null,
  };
}

/** Four decimals: enough to compare, short enough to read. */
export function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
