// Text normalisation for duplicate detection, and groups of rows whose normalised texts are equal.

/**
 * The form two texts are compared in: Unicode NFKC, lower case, only letters, digits and marks kept, runs
 * of anything else collapsed to one space. "Hello,  World!" and "hello world" are the same text.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, ' ')
    .trim();
}

/** A set of row indices (0-based, ascending) whose normalised texts are equal. */
export interface DuplicateGroup {
  readonly rows: readonly number[];
}

/** Groups of two or more texts with the same normalised form, ordered by their first row. */
export function exactDuplicateGroups(texts: readonly string[]): DuplicateGroup[] {
  const byKey = new Map<string, number[]>();
  texts.forEach((t, i) => {
    const key = normaliseText(t);
    if (key === '') return; // empty after normalising: a length outlier, not a duplicate of every other blank
    const rows = byKey.get(key);
    if (rows) rows.push(i);
    else byKey.set(key, [i]);
  });
  return [...byKey.values()].filter((rows) => rows.length > 1).map((rows) => ({ rows }));
}

/** For each row of `queries`, the first row of `corpus` with the same normalised text, or -1. */
export function exactMatches(queries: readonly string[], corpus: readonly string[]): number[] {
  const first = new Map<string, number>();
  corpus.forEach((t, i) => {
    const key = normaliseText(t);
    if (key !== '' && !first.has(key)) first.set(key, i);
  });
  return queries.map((q) => {
    const key = normaliseText(q);
    return key === '' ? -1 : (first.get(key) ?? -1);
  });
}
