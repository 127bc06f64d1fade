import { type TokenizerSpec, loadTokenizerSpec } from './config';
import {
  type Content,
  type Encoding,
  type EncodingWindow,
  type PaddedBatch,
  emptyContent,
  padBatch,
  wrapContent,
} from './encoding';
import { TokenizerArgumentError, TokenizerLoadError } from './errors';
import { WordSplitter } from './splitter';
import { makeWindows } from './windows';
import { WordPiece } from './wordpiece';

/** Options for single-sequence encoding. */
export interface EncodeOptions {
  /** Total length including [CLS] and [SEP]; longer inputs are cut and flagged `truncated`. Omit for no limit. */
  readonly maxLength?: number;
}

/**
 * BERT WordPiece tokenizer matching Hugging Face `tokenizers` (BertNormalizer + BertPreTokenizer + WordPiece +
 * [CLS]/[SEP] template) id for id, with UTF-16 offsets into the caller's strings. Never throws on text input.
 */
export class WordPieceTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly splitter: WordSplitter;
  private readonly wordpiece: WordPiece;
  private readonly added: RegExp | null;
  private readonly addedIds: ReadonlyMap<string, number>;

  constructor(readonly spec: TokenizerSpec) {
    this.wordpiece = new WordPiece(spec.vocab, spec.unkToken, spec.continuingSubwordPrefix, spec.maxInputCharsPerWord);
    const need = (token: string): number => {
      const id = this.wordpiece.id(token);
      if (id === undefined) throw new TokenizerLoadError('tokenizer spec', `token "${token}" is not in the vocabulary`);
      return id;
    };
    this.clsId = need(spec.clsToken);
    this.sepId = need(spec.sepToken);
    this.padId = need(spec.padToken);
    this.unkId = this.wordpiece.unkId;
    this.splitter = new WordSplitter(spec);
    this.addedIds = new Map(spec.addedTokens.map((t) => [t, need(t)]));
    // Longest first: JS alternation takes the first alternative that matches, so this is leftmost-longest.
    const alts = [...spec.addedTokens].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.added = alts.length === 0 ? null : new RegExp(alts.join('|'), 'g');
  }

  /** Loads a tokenizer from a Hugging Face model folder (tokenizer.json, or vocab.txt + tokenizer_config.json). */
  static fromDir(dir: string): WordPieceTokenizer {
    return new WordPieceTokenizer(loadTokenizerSpec(dir));
  }

  get vocabSize(): number {
    return this.spec.vocab.length;
  }

  /** Id of a token string, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.wordpiece.id(token);
  }

  /** Token string of an id (throws on an id outside the vocabulary). */
  idToToken(id: number): string {
    const t = this.spec.vocab[id];
    if (t === undefined)
      throw new TokenizerArgumentError(`token id ${id} is outside the vocabulary 0..${this.vocabSize - 1}`);
    return t;
  }

  /** Encodes one text as [CLS] tokens [SEP]; offsets index `text`. */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    const limit = contentLimit(options.maxLength);
    const c = emptyContent();
    this.appendText(c, text, limit);
    return this.finish(c, limit);
  }

  /** Encodes pre-split words (is_split_into_words); wordIds index `words`, offsets index each word. */
  encodeWords(words: readonly string[], options: EncodeOptions = {}): Encoding {
    const limit = contentLimit(options.maxLength);
    const c = emptyContent();
    this.appendWords(c, words, limit);
    return this.finish(c, limit);
  }

  /** Encodes texts and pads them to the longest in the batch. */
  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): PaddedBatch {
    return padBatch(
      texts.map((t) => this.encode(t, options)),
      this.padId,
    );
  }

  /** Pads encodings (e.g. from encodeWords) to the longest one with this vocabulary's pad id. */
  pad(encodings: readonly Encoding[]): PaddedBatch {
    return padBatch(encodings, this.padId);
  }

  /** Sliding windows of at most maxLength tokens sharing `stride` tokens, so no token of `text` is dropped. */
  encodeWindows(text: string, maxLength: number, stride: number): EncodingWindow[] {
    const c = emptyContent();
    this.appendText(c, text, Infinity);
    return makeWindows(c, maxLength, stride, this.clsId, this.sepId);
  }

  /** encodeWindows for pre-split words. */
  encodeWordsWindows(words: readonly string[], maxLength: number, stride: number): EncodingWindow[] {
    const c = emptyContent();
    this.appendWords(c, words, Infinity);
    return makeWindows(c, maxLength, stride, this.clsId, this.sepId);
  }

  private finish(c: Content, limit: number): Encoding {
    const truncated = c.ids.length > limit;
    return wrapContent(c, 0, truncated ? limit : c.ids.length, this.clsId, this.sepId, truncated);
  }

  private appendText(c: Content, text: string, limit: number): void {
    let word = 0;
    this.forEachSegment(text, (from, to, addedId) => {
      if (addedId !== null) {
        pushToken(c, addedId, from, to, word++);
        return c.ids.length <= limit;
      }
      return this.splitter.split(text, from, to, (w, n, starts, ends) => {
        this.pushWord(c, w, n, starts, ends, word++);
        return c.ids.length <= limit;
      });
    });
  }

  private appendWords(c: Content, words: readonly string[], limit: number): void {
    for (let wi = 0; wi < words.length && c.ids.length <= limit; wi++) {
      const text = words[wi];
      this.forEachSegment(text, (from, to, addedId) => {
        if (addedId !== null) {
          pushToken(c, addedId, from, to, wi);
          return c.ids.length <= limit;
        }
        return this.splitter.split(text, from, to, (w, n, starts, ends) => {
          this.pushWord(c, w, n, starts, ends, wi);
          return c.ids.length <= limit;
        });
      });
    }
  }

  private pushWord(
    c: Content,
    word: string,
    n: number,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    wordId: number,
  ): void {
    const pieces = this.wordpiece.tokenize(word, n);
    for (let p = 0; p < pieces.length; p += 3) {
      pushToken(c, pieces[p], starts[pieces[p + 1]], ends[pieces[p + 2] - 1], wordId);
    }
  }

  /** Calls fn for each run of ordinary text and each added (special) token, in order; stops when fn returns false. */
  private forEachSegment(text: string, fn: (from: number, to: number, addedId: number | null) => boolean): void {
    const re = this.added;
    if (re === null) {
      fn(0, text.length, null);
      return;
    }
    re.lastIndex = 0;
    let pos = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > pos && !fn(pos, m.index, null)) return;
      if (!fn(m.index, m.index + m[0].length, this.addedIds.get(m[0]) ?? this.unkId)) return;
      pos = m.index + m[0].length;
    }
    if (pos < text.length) fn(pos, text.length, null);
  }
}

function pushToken(c: Content, id: number, start: number, end: number, word: number): void {
  c.ids.push(id);
  c.starts.push(start);
  c.ends.push(end);
  c.words.push(word);
}

function contentLimit(maxLength: number | undefined): number {
  if (maxLength === undefined) return Infinity;
  if (!Number.isInteger(maxLength) || maxLength < 2) {
    throw new TokenizerArgumentError(`maxLength must be an integer >= 2 (room for [CLS] and [SEP]); got ${maxLength}`);
  }
  return maxLength - 2;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
