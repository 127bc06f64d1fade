/**
 * Dropout keep masks generated inside the graph, for devices where feeding host masks would cost a
 * host->device copy of every mask every step (a MiniLM step at B32 x T128 feeds ~56 MB of bool masks).
 * The runtime feeds each site 2 int32 seeds per step; the graph hashes every element's flat index with
 * them. Only int32 Add/Sub/Mul/Div and Range are used, all exact and all with WebGPU kernels, so the CPU
 * and GPU execution providers draw bit-identical masks (checked against `generatedKeep` below).
 *
 * The hash: two lanes modulo primes p1 = 46337 and p2 = 46307 (p^2 < 2^31, so every product fits int32;
 * 3 does not divide p - 1, so cubing is a permutation mod p). Lane k maps index i = hi * p_k + lo to
 * ((lo * a_k + hi * b_k + seed_k) mod p_k) and applies two rounds of x -> x^3 + c (nonlinear, bijective).
 * The element is kept when (lane1 + lane2) mod p1 >= round(rate * p1): positions that collide in one lane
 * differ in the other, so masks show no period within any realistic tensor.
 */
import type { Graph, Value } from '../onnx';
import { attr, GraphBuildError, op } from '../onnx';

export const LANE_PRIMES = [46337, 46307] as const;
const MULTIPLIERS = [
  { a: 40503, b: 9973, c: [17509, 30011] },
  { a: 31337, b: 27449, c: [4099, 22039] },
] as const;

/** The two lane seeds for a 32-bit stream key (what the runtime feeds as `dropout.<site>.seed`). */
export function laneSeeds(key: number): Int32Array {
  const k = key >>> 0;
  return Int32Array.of(k % LANE_PRIMES[0], Math.floor(k / LANE_PRIMES[0]) % LANE_PRIMES[1]);
}

/** Keep threshold on the combined lane value for drop probability `rate`. */
export function generatedThreshold(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}.`);
  return Math.round(rate * LANE_PRIMES[0]);
}

/** 1 / keep probability of the quantised rate, so E[mask * scale] is exactly 1. */
export function generatedKeepScale(rate: number): number {
  return LANE_PRIMES[0] / (LANE_PRIMES[0] - generatedThreshold(rate));
}

const mod = (x: number, p: number): number => x % p;

function laneValue(i: number, seed: number, lane: 0 | 1): number {
  const p = LANE_PRIMES[lane];
  const { a, b, c } = MULTIPLIERS[lane];
  const lo = mod(i, p);
  const hi = mod(Math.floor(i / p), p);
  let x = mod(mod(lo * a, p) + mod(hi * b, p) + seed, p);
  for (const cr of c) x = mod(mod(mod(x * x, p) * x, p) + cr, p);
  return x;
}

/** Reference (plain JS) of the graph's decision for flat index `i`: true when the element is kept. */
export function generatedKeep(i: number, seeds: Int32Array, rate: number): boolean {
  const v = mod(laneValue(i, seeds[0]!, 0) + laneValue(i, seeds[1]!, 1), LANE_PRIMES[0]);
  return v >= generatedThreshold(rate);
}

/**
 * A bool keep mask with x's shape, hashed from `seeds` (int32 [2]). Flat indices must stay below 2^31
 * (a [B, 12, T, T] attention mask at B = 64, T = 512 has 2^28 elements).
 */
export function generatedKeepMask(g: Graph, x: Value, seeds: Value, rate: number): Value {
  if (seeds.dtype !== 'int32') {
    throw new GraphBuildError('Dropout', `generated mask seeds must be int32, got ${seeds.dtype}.`);
  }
  const flat = ['n'];
  const int = (opType: 'Add' | 'Sub' | 'Mul' | 'Div', a: Value, b: Value): Value =>
    g.addNode(opType, [a, b], [{ dtype: 'int32', shape: flat }])[0]!;
  const c = (v: number): Value => g.scalar(v, 'int32');
  const modP = (v: Value, p: number): Value => int('Sub', v, int('Mul', int('Div', v, c(p)), c(p)));

  // Shape math (stays on the CPU EP by ORT's design): the element count as an int32 scalar.
  const shape = g.addNode('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0]!;
  const count = g.addNode('ReduceProd', [shape], [{ dtype: 'int64', shape: [] }], { keepdims: attr.int(0) })[0]!;
  const count32 = op.cast(g, count, 'int32');
  const index = g.addNode('Range', [c(0), count32, c(1)], [{ dtype: 'int32', shape: flat }])[0]!; // [n]

  const lanes = LANE_PRIMES.map((p, lane) => {
    const { a, b, c: rounds } = MULTIPLIERS[lane]!;
    const seed = g.addNode('Gather', [seeds, g.scalar(lane, 'int64')], [{ dtype: 'int32', shape: [] }], {
      axis: attr.int(0),
    })[0]!;
    const lo = modP(index, p);
    const hi = modP(int('Div', index, c(p)), p);
    let v = modP(int('Add', int('Add', modP(int('Mul', lo, c(a)), p), modP(int('Mul', hi, c(b)), p)), seed), p);
    for (const cr of rounds) v = modP(int('Add', modP(int('Mul', modP(int('Mul', v, v), p), v), p), c(cr)), p);
    return v;
  });
  const combined = modP(int('Add', lanes[0]!, lanes[1]!), LANE_PRIMES[0]);
  const keepFlat = g.addNode(
    'GreaterOrEqual',
    [combined, c(generatedThreshold(rate))],
    [{ dtype: 'bool', shape: flat }],
  )[0]!;
  return g.addNode('Reshape', [keepFlat, shape], [{ dtype: 'bool', shape: x.shape }])[0]!;
}
