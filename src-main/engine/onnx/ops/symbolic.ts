import type { Dim, Shape } from '../shape';

/**
 * Symbolic dims may be products written 'B*T'. A shape's size is kept as a number times a multiset of
 * symbols, so reshapes like [B, T, 384] -> [B*T, 384] -> [B, T, 12, 32] keep exact symbolic dims.
 */
interface SymbolicSize {
  readonly numeric: number;
  readonly symbols: readonly string[];
}

function factorsOf(d: Dim): SymbolicSize {
  if (typeof d === 'number') return { numeric: d, symbols: [] };
  let numeric = 1;
  const symbols: string[] = [];
  for (const part of d.split('*')) {
    if (/^\d+$/.test(part)) numeric *= Number(part);
    else symbols.push(part);
  }
  return { numeric, symbols };
}

/** Size of a list of dims as number x symbols. */
export function symbolicSize(dims: Shape): SymbolicSize {
  let numeric = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    const f = factorsOf(d);
    numeric *= f.numeric;
    symbols.push(...f.symbols);
  }
  return { numeric, symbols };
}

/** total / part as a dim, or undefined when it is not an exact symbolic quotient. */
export function divideSizes(total: SymbolicSize, part: SymbolicSize): Dim | undefined {
  const remaining = [...total.symbols];
  for (const s of part.symbols) {
    const i = remaining.indexOf(s);
    if (i < 0) return undefined;
    remaining.splice(i, 1);
  }
  if (part.numeric === 0 || total.numeric % part.numeric !== 0) return undefined;
  const numeric = total.numeric / part.numeric;
  if (remaining.length === 0) return numeric;
  if (numeric !== 1) return undefined;
  return remaining.sort().join('*');
}

/** The product of two dims as a dim. */
export function multiplyDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  const s = symbolicSize([a, b]);
  const symbols = [...s.symbols].sort().join('*');
  return s.numeric === 1 ? symbols : `${s.numeric}*${symbols}`;
}
