import { NerScorer, type NerScores } from '../../engine/metrics';
import { spansToBio, type CharRange } from '../align/bio';
import { tokenizeWords } from '../align/words';
import { importFile } from '../import/index';
import type { CharSpan } from '../types';
import type { Labeler } from './types';

export interface LabelerEvaluation {
  readonly labeler: string;
  readonly types: readonly string[];
  readonly sentences: number;
  readonly words: number;
  /** Time spent inside labeler.label only (reading and scoring excluded). */
  readonly seconds: number;
  readonly wordsPerSec: number;
  readonly scores: NerScores;
}

function tokenRanges(tokens: readonly string[]): CharRange[] {
  let pos = 0;
  return tokens.map((t) => {
    const r = { start: pos, end: pos + t.length };
    pos += t.length + 1;
    return r;
  });
}

const only = (spans: readonly CharSpan[], types: ReadonlySet<string>): CharSpan[] =>
  spans.filter((s) => types.has(s.type));

/** One gold example: its text, its words when the file gives them (CoNLL tokens), and its gold spans. */
export interface GoldExample {
  readonly text: string;
  readonly tokens?: readonly string[];
  readonly spans?: readonly CharSpan[];
}

/**
 * Accumulates a labeler's seqeval-compatible entity scores over `types`, one gold example at a time:
 * gold entities of other types (e.g. MISC) count as O, and so do predicted spans of other types. Words are
 * the example's tokens when it has them (CoNLL), else its text split with tokenizeWords (span JSONL).
 */
export class LabelerScorer {
  private readonly keep: ReadonlySet<string>;
  private readonly scorer = new NerScorer();
  private sentences = 0;
  private words = 0;
  private ns = 0n;

  constructor(
    private readonly labeler: Labeler,
    private readonly types: readonly string[],
  ) {
    this.keep = new Set(types);
  }

  /** Labels one example (timed) and scores it against its gold spans. */
  add(example: GoldExample): void {
    const t0 = process.hrtime.bigint();
    const predicted = this.labeler.label(example.text);
    this.ns += process.hrtime.bigint() - t0;
    const ranges = example.tokens ? tokenRanges(example.tokens) : tokenizeWords(example.text);
    this.scorer.add(
      spansToBio(ranges, only(example.spans ?? [], this.keep)),
      spansToBio(ranges, only(predicted, this.keep)),
    );
    this.sentences++;
    this.words += ranges.length;
  }

  /** The scores of every example added so far. */
  result(): LabelerEvaluation {
    const seconds = Number(this.ns) / 1e9;
    return {
      labeler: this.labeler.id,
      types: this.types,
      sentences: this.sentences,
      words: this.words,
      seconds,
      wordsPerSec: seconds > 0 ? this.words / seconds : 0,
      scores: this.scorer.scores(),
    };
  }
}

/** Scores a labeler on gold examples already read (the pipeline's dev items); see LabelerScorer. */
export function scoreLabeler(
  examples: Iterable<GoldExample>,
  labeler: Labeler,
  types: readonly string[],
): LabelerEvaluation {
  const scorer = new LabelerScorer(labeler, types);
  for (const e of examples) scorer.add(e);
  return scorer.result();
}

/**
 * Scores a labeler against gold CoNLL (IOB2) with seqeval-compatible entity P/R/F1 over `types`
 * (LabelerScorer), streaming the file. A span JSONL file (ours, Prodigy, doccano) works too.
 */
export async function evaluateLabeler(
  conllPath: string,
  labeler: Labeler,
  types: readonly string[],
  options: { readonly limit?: number } = {},
): Promise<LabelerEvaluation> {
  const scorer = new LabelerScorer(labeler, types);
  let sentences = 0;
  for await (const ev of importFile(conllPath)) {
    if (ev.kind !== 'example') continue;
    scorer.add(ev.example);
    sentences++;
    if (options.limit !== undefined && sentences >= options.limit) break;
  }
  return scorer.result();
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(6);

/** A per-type P/R/F1 table plus micro scores and speed, for the terminal. */
export function formatEvaluation(e: LabelerEvaluation): string {
  const rows = [
    `labeler ${e.labeler}: ${e.sentences} sentences, ${e.words} words, ${Math.round(e.wordsPerSec)} words/s`,
    'type       P      R     F1  support',
  ];
  for (const t of e.types) {
    const s = e.scores.perType[t];
    if (s)
      rows.push(`${t.padEnd(6)}${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)}  ${String(s.support).padStart(7)}`);
  }
  const m = e.scores.micro;
  rows.push(`${'micro'.padEnd(6)}${pct(m.precision)} ${pct(m.recall)} ${pct(m.f1)}  ${String(m.support).padStart(7)}`);
  return rows.join('\n');
}
