import { FeedError } from './errors';
import { describeTensor } from './tensor';

/** What the session declares for one input. */
export interface InputSpec {
  readonly name: string;
  readonly dtype: string;
  /** Numbers are fixed sizes, strings symbolic dims ('batch', 'seq'); an empty array for rank 0. */
  readonly shape: readonly (number | string)[];
}

/** A feed as seen by the checker (both host tensors and ORT tensors fit). */
export interface FeedLike {
  readonly dims: readonly number[];
  readonly type?: string;
  readonly dtype?: string;
}

/** Symbol -> size bindings found while checking feeds (e.g. batch = 32, seq = 64). */
export type DimBindings = ReadonlyMap<string, number>;

/**
 * Checks feeds against the session's inputs before running: every input present, no unknown names, same
 * dtype and rank, fixed dims equal and each symbolic dim bound to one size across all inputs. Throws a
 * FeedError naming the input with expected vs got; returns the symbol bindings.
 */
export function checkFeeds(inputs: readonly InputSpec[], feeds: Readonly<Record<string, FeedLike>>): DimBindings {
  const expected = new Set(inputs.map((i) => i.name));
  const missing = inputs.filter((i) => feeds[i.name] === undefined).map((i) => i.name);
  if (missing.length > 0) {
    const shown = missing.slice(0, 8).join("', '") + (missing.length > 8 ? `' and ${missing.length - 8} more` : "'");
    throw new FeedError(missing[0]!, `Missing the following inputs: '${shown}. Feed every graph input.`);
  }
  const unknown = Object.keys(feeds).filter((n) => !expected.has(n));
  if (unknown.length > 0) {
    throw new FeedError(unknown[0]!, `Unknown input '${unknown[0]}': the session's inputs are ${listNames(inputs)}.`);
  }
  const bindings = new Map<string, { size: number; from: string }>();
  for (const spec of inputs) checkOne(spec, feeds[spec.name]!, bindings);
  return new Map([...bindings].map(([k, v]) => [k, v.size]));
}

function checkOne(spec: InputSpec, feed: FeedLike, bindings: Map<string, { size: number; from: string }>): void {
  const gotType = feed.dtype ?? feed.type ?? '?';
  const want = `${spec.dtype} [${spec.shape.join(', ')}]`;
  const fail = (why: string): never => {
    throw new FeedError(
      spec.name,
      `Input '${spec.name}': expected ${want}, got ${describeTensor({ dtype: gotType, dims: feed.dims })}; ${why}.`,
    );
  };
  if (gotType !== spec.dtype) fail(`the dtype differs (convert the data to ${spec.dtype})`);
  if (feed.dims.length !== spec.shape.length) fail(`the rank differs (${feed.dims.length} vs ${spec.shape.length})`);
  spec.shape.forEach((d, i) => {
    const got = feed.dims[i]!;
    if (typeof d === 'number') {
      if (d >= 0 && got !== d) fail(`dim ${i} must be ${d}`);
      return;
    }
    const bound = bindings.get(d);
    if (bound && bound.size !== got) {
      fail(`dim ${i} ('${d}') is ${bound.size} in input '${bound.from}' but ${got} here; all inputs must agree`);
    }
    if (!bound) bindings.set(d, { size: got, from: spec.name });
  });
}

/** Resolves a dim (number, symbol, or product 'B*T' / '12*batch') from bindings, or throws naming it. */
export function resolveDim(dim: number | string, bindings: DimBindings, what: string): number {
  if (typeof dim === 'number') return dim;
  let size = 1;
  for (const part of dim.split('*')) {
    if (/^\d+$/.test(part)) size *= Number(part);
    else {
      const bound = bindings.get(part);
      if (bound === undefined) {
        throw new FeedError(
          what,
          `cannot size '${what}': symbolic dim '${part}' is not fixed by any fed input (known: ${[...bindings.keys()].join(', ') || 'none'}).`,
        );
      }
      size *= bound;
    }
  }
  return size;
}

function listNames(inputs: readonly InputSpec[]): string {
  const names = inputs.map((i) => `'${i.name}'`);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ');
}
