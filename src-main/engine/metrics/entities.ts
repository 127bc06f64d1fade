// seqeval DEFAULT-mode chunk extraction (conlleval semantics), ported branch for branch from
// seqeval.metrics.sequence_labeling.get_entities so scores match seqeval exactly.

/** One chunk: tokens [start, end) of a sequence carry entity `type`. */
export interface TagEntity {
  readonly type: string;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export class InvalidTagError extends Error {
  override readonly name = 'InvalidTagError';
  constructor(
    readonly tag: string,
    readonly position: number,
  ) {
    super(
      `Empty tag at position ${position}: every token needs a tag such as "O", "B-PER" or "I-PER". ` +
        'Fill missing tags with "O" before scoring.',
    );
  }
}

// seqeval reads the first character as the chunk tag and everything after the first '-' as the type.
function splitTag(tag: string, position: number): { readonly prefix: string; readonly type: string } {
  if (tag.length === 0) throw new InvalidTagError(tag, position);
  const rest = tag.slice(1);
  const dash = rest.indexOf('-');
  const type = dash < 0 ? rest : rest.slice(dash + 1);
  return { prefix: tag[0], type: type === '' ? '_' : type };
}

function endOfChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (prevTag === 'E' || prevTag === 'S') return true;
  if ((prevTag === 'B' || prevTag === 'I') && (tag === 'B' || tag === 'S' || tag === 'O')) return true;
  return prevTag !== 'O' && prevTag !== '.' && prevType !== type;
}

function startOfChunk(prevTag: string, tag: string, prevType: string, type: string): boolean {
  if (tag === 'B' || tag === 'S') return true;
  if ((prevTag === 'E' || prevTag === 'S' || prevTag === 'O') && (tag === 'E' || tag === 'I')) return true;
  return tag !== 'O' && tag !== '.' && prevType !== type;
}

/**
 * Streaming chunker: feed tags one by one, get each chunk when it closes. Positions are global across
 * sentences, and `endSentence` feeds the "O" seqeval puts between flattened sentences, so even the
 * stale-begin quirk after "." tags matches seqeval.
 */
export class EntityChunker {
  private prevTag = 'O';
  private prevType = '';
  private begin = 0;
  private index = 0;

  /** Feeds the next tag; returns the chunk this tag closed, if any. */
  push(tag: string): TagEntity | null {
    const { prefix, type } = splitTag(tag, this.index);
    let closed: TagEntity | null = null;
    if (endOfChunk(this.prevTag, prefix, this.prevType, type)) {
      closed = { type: this.prevType, start: this.begin, end: this.index };
    }
    if (startOfChunk(this.prevTag, prefix, this.prevType, type)) this.begin = this.index;
    this.prevTag = prefix;
    this.prevType = type;
    this.index++;
    return closed;
  }

  /** Ends a sentence the way seqeval does: an "O" that occupies one position. */
  endSentence(): TagEntity | null {
    return this.push('O');
  }
}

/** Extracts entity chunks from one sentence's tags exactly as seqeval's default mode does (I- without B- starts one). */
export function getEntities(tags: readonly string[]): TagEntity[] {
  const chunker = new EntityChunker();
  const chunks: TagEntity[] = [];
  for (const tag of tags) {
    const c = chunker.push(tag);
    if (c) chunks.push(c);
  }
  // A trailing "O" closes an entity that reaches the end of the sentence.
  const last = chunker.endSentence();
  if (last) chunks.push(last);
  return chunks;
}
