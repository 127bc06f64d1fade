/**
 * Constrained BIO decoding: the most probable tag sequence of a sentence among those that are valid BIO
 * (I-X only after B-X or I-X), by Viterbi over per-word log-softmax scores. Arg-max per word can emit
 * "O I-PER" or "B-ORG I-LOC"; seqeval's default mode reads such an I- as the start of a new entity, almost
 * always a wrong fragment. The constrained path never does, and where arg-max is already valid it is the
 * arg-max path (every step is then the per-word maximum).
 */

/** Per tag: its entity type and whether it continues one (I-), starts one (B-) or is outside (O). */
interface TagShape {
  readonly kind: 'B' | 'I' | 'O';
  readonly type: string;
}

function shapeOf(tag: string): TagShape {
  if (tag.startsWith('B-')) return { kind: 'B', type: tag.slice(2) };
  if (tag.startsWith('I-')) return { kind: 'I', type: tag.slice(2) };
  // O, and any tag outside the BIO scheme, constrain nothing.
  return { kind: 'O', type: '' };
}

/** May tag `to` follow tag `from` (null: the sentence's first word)? */
function allowed(from: TagShape | null, to: TagShape): boolean {
  if (to.kind !== 'I') return true;
  return from !== null && from.kind !== 'O' && from.type === to.type;
}

/** log sum exp of one logits row, computed stably. */
function logSumExp(logits: Float32Array, offset: number, width: number): number {
  let max = -Infinity;
  for (let k = 0; k < width; k++) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < width; k++) sum += Math.exp(logits[offset + k]! - max);
  return max + Math.log(sum);
}

/** log softmax(logits)[k] of the row at `offset` (width `width`), computed stably. */
export function logSoftmaxAt(logits: Float32Array, offset: number, width: number, k: number): number {
  return logits[offset + k]! - logSumExp(logits, offset, width);
}

function logSoftmaxRow(logits: Float32Array, offset: number, width: number, out: Float64Array): void {
  const log = logSumExp(logits, offset, width);
  for (let k = 0; k < width; k++) out[k] = logits[offset + k]! - log;
}

/**
 * The best valid BIO tag indices for one sentence: word i's logits are the row at `rowOffsets[i]` of
 * `logits` (width = tags.length). Returns one tag index per word.
 */
export function decodeBioPath(logits: Float32Array, rowOffsets: readonly number[], tags: readonly string[]): number[] {
  const n = rowOffsets.length;
  const width = tags.length;
  if (n === 0) return [];
  const shapes = tags.map(shapeOf);
  const emit = new Float64Array(width);
  let score = new Float64Array(width);
  let next = new Float64Array(width);
  const back = new Int32Array(n * width); // [n, K]: the best previous tag of each (word, tag)
  logSoftmaxRow(logits, rowOffsets[0]!, width, emit);
  for (let k = 0; k < width; k++) score[k] = allowed(null, shapes[k]!) ? emit[k]! : -Infinity;
  for (let i = 1; i < n; i++) {
    logSoftmaxRow(logits, rowOffsets[i]!, width, emit);
    for (let k = 0; k < width; k++) {
      let best = -Infinity;
      let arg = 0;
      for (let j = 0; j < width; j++) {
        const s = score[j]!;
        if (s > best && allowed(shapes[j]!, shapes[k]!)) {
          best = s;
          arg = j;
        }
      }
      next[k] = best + emit[k]!;
      back[i * width + k] = arg;
    }
    [score, next] = [next, score];
  }
  let last = 0;
  for (let k = 1; k < width; k++) if (score[k]! > score[last]!) last = k;
  const path = new Array<number>(n);
  path[n - 1] = last;
  for (let i = n - 1; i > 0; i--) path[i - 1] = back[i * width + path[i]!]!;
  return path;
}
