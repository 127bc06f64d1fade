/** A dimension: a known size, or a symbolic name (e.g. 'batch', 'seq') fixed at run time. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** "[B, T, 384]" */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** True when both dims are the same known size or the same symbol. */
export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

/** True when every dim matches. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => sameDim(d, b[i]!));
}

/** Product of the dims when all are known, else undefined. */
export function knownSize(shape: Shape): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/**
 * Numpy-style broadcast of two shapes. Returns undefined when they cannot broadcast. Two different symbols
 * are assumed equal (ORT checks at run time); a symbol against 1 gives the symbol.
 */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (typeof da === 'string') out.push(da);
    else if (typeof db === 'string') out.push(db);
    else return undefined;
  }
  return out;
}

/** Normalises a possibly negative axis against a rank, or returns undefined when out of range. */
export function normaliseAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}
