import { EntityChunker, type TagEntity } from './entities';

/** Precision, recall, F1 and the number of true entities. */
export interface Prf {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Entity-level scores: micro over all types plus one row per type (types sorted by name). */
export interface NerScores {
  readonly micro: Prf;
  readonly perType: Readonly<Record<string, Prf>>;
  readonly macroF1: number;
}

interface Counts {
  tp: number;
  pred: number;
  gold: number;
}

export class SequenceLengthError extends Error {
  override readonly name = 'SequenceLengthError';
}

/** Builds a Prf the way seqeval does: 0 for an undefined ratio, F1 from the rounded P and R. */
export function prf(tp: number, pred: number, gold: number): Prf {
  const precision = pred === 0 ? 0 : tp / pred;
  const recall = gold === 0 ? 0 : tp / gold;
  const denom = precision + recall;
  return { precision, recall, f1: denom === 0 ? 0 : (2 * precision * recall) / denom, support: gold };
}

/** Accumulates strict (span + type) entity matches sentence by sentence, so big corpora stream through. */
export class NerScorer {
  private readonly trueChunker = new EntityChunker();
  private readonly predChunker = new EntityChunker();
  // Keys "type\0start\0end" in seqeval's flattened coordinates; matched only when scores() is asked,
  // because with malformed tags a seqeval chunk can close in a later sentence.
  private readonly gold = new Set<string>();
  private readonly pred = new Set<string>();
  private sentences = 0;

  /** Adds one sentence's true and predicted tags (same length). */
  add(yTrue: readonly string[], yPred: readonly string[]): void {
    if (yTrue.length !== yPred.length) {
      throw new SequenceLengthError(
        `Sentence ${this.sentences}: ${yTrue.length} true tags but ${yPred.length} predicted tags. ` +
          'Predict exactly one tag per word (align sub-word predictions back to words first).',
      );
    }
    this.sentences++;
    for (const tag of yTrue) record(this.gold, this.trueChunker.push(tag));
    record(this.gold, this.trueChunker.endSentence());
    for (const tag of yPred) record(this.pred, this.predChunker.push(tag));
    record(this.pred, this.predChunker.endSentence());
  }

  /** Scores everything added so far. */
  scores(): NerScores {
    const counts = new Map<string, Counts>();
    const bucket = (type: string): Counts => {
      let c = counts.get(type);
      if (!c) {
        c = { tp: 0, pred: 0, gold: 0 };
        counts.set(type, c);
      }
      return c;
    };
    for (const key of this.gold) bucket(typeOf(key)).gold++;
    for (const key of this.pred) {
      const c = bucket(typeOf(key));
      c.pred++;
      if (this.gold.has(key)) c.tp++;
    }
    const perType: Record<string, Prf> = {};
    let tp = 0;
    let pred = 0;
    let gold = 0;
    const names = [...counts.keys()].sort();
    for (const name of names) {
      const c = counts.get(name) as Counts;
      perType[name] = prf(c.tp, c.pred, c.gold);
      tp += c.tp;
      pred += c.pred;
      gold += c.gold;
    }
    const macroF1 = names.length === 0 ? 0 : names.reduce((s, n) => s + perType[n].f1, 0) / names.length;
    return { micro: prf(tp, pred, gold), perType, macroF1 };
  }
}

function record(into: Set<string>, e: TagEntity | null): void {
  if (e) into.add(`${e.type}\u0000${e.start}\u0000${e.end}`);
}

function typeOf(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}

/** seqeval-compatible entity P/R/F1 (default mode, strict span+type match) over sentences of tags. */
export function nerScores(yTrue: readonly (readonly string[])[], yPred: readonly (readonly string[])[]): NerScores {
  if (yTrue.length !== yPred.length) {
    throw new SequenceLengthError(
      `${yTrue.length} true sentences but ${yPred.length} predicted sentences: pass one prediction per sentence.`,
    );
  }
  const scorer = new NerScorer();
  for (let i = 0; i < yTrue.length; i++) scorer.add(yTrue[i], yPred[i]);
  return scorer.scores();
}
