import { TokenizerLoadError } from './errors';

/** Greedy longest-match-first WordPiece over one normalised word, as tokenizers' WordPiece model. */
export class WordPiece {
  private readonly ids: Map<string, number>;
  private readonly maxTokenCps: number;
  private readonly cache = new Map<string, Int32Array>();
  readonly unkId: number;

  constructor(
    vocab: readonly string[],
    unkToken: string,
    private readonly prefix: string,
    private readonly maxInputChars: number,
    private readonly cacheLimit = 100_000,
  ) {
    this.ids = new Map();
    let maxCps = 1;
    for (let id = 0; id < vocab.length; id++) {
      // A token repeated in vocab.txt maps to its last line, as in transformers' load_vocab.
      this.ids.set(vocab[id], id);
      let n = 0;
      for (const _ of vocab[id]) n++;
      if (n > maxCps) maxCps = n;
    }
    this.maxTokenCps = maxCps;
    const unk = this.ids.get(unkToken);
    if (unk === undefined)
      throw new TokenizerLoadError('vocabulary', `unknown token "${unkToken}" is missing; add it or fix unk_token`);
    this.unkId = unk;
  }

  /** Id of a token string, or undefined. */
  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  /**
   * Pieces of `word` (cpCount code points) as flat [id, cpStart, cpEnd, ...] triples; a word longer than
   * max_input_chars_per_word, or one with an unmatchable part, is a single [UNK] over the whole word.
   */
  tokenize(word: string, cpCount: number): Int32Array {
    if (cpCount > this.maxInputChars) return this.unk(cpCount);
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const pieces = this.compute(word, cpCount);
    if (this.cache.size >= this.cacheLimit) this.cache.clear();
    this.cache.set(word, pieces);
    return pieces;
  }

  private unk(cpCount: number): Int32Array {
    return Int32Array.of(this.unkId, 0, cpCount);
  }

  private compute(word: string, cpCount: number): Int32Array {
    const whole = this.ids.get(word);
    if (whole !== undefined) return Int32Array.of(whole, 0, cpCount);
    // unitAt[k] = UTF-16 index of code point k (identity unless the word has astral characters).
    const unitAt = cpCount === word.length ? null : codePointStarts(word, cpCount);
    const u = (k: number): number => (unitAt === null ? k : unitAt[k]);
    const out: number[] = [];
    let start = 0;
    while (start < cpCount) {
      let end = Math.min(cpCount, start + this.maxTokenCps);
      let found = -1;
      while (end > start) {
        const sub = word.slice(u(start), u(end));
        const id = this.ids.get(start > 0 ? this.prefix + sub : sub);
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
      }
      if (found < 0) return this.unk(cpCount);
      out.push(found, start, end);
      start = end;
    }
    return Int32Array.from(out);
  }
}

function codePointStarts(word: string, cpCount: number): Int32Array {
  const at = new Int32Array(cpCount + 1);
  let k = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    at[k++] = i;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < word.length) i++;
  }
  at[cpCount] = word.length;
  return at;
}
