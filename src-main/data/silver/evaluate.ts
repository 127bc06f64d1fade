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

/**
 * Scores a labeler against gold CoNLL (IOB2) with seqeval-compatible entity P/R/F1 over `types`:
 * gold entities of other types (e.g. MISC) count as O, and so do predicted spans of other types.
 * A span JSONL file (ours, Prodigy, doccano) works too: its texts are split into words with tokenizeWords.
 */
export async function evaluateLabeler(
  conllPath: string,
  labeler: Labeler,
  types: readonly string[],
  options: { readonly limit?: number } = {},
): Promise<LabelerEvaluation> {
  const keep = new Set(types);
  const scorer = new NerScorer();
  let sentences = 0;
  let words = 0;
  let ns = 0n;
  for await (const ev of importFile(conllPath)) {
    if (ev.kind !== 'example') continue;
    const { text, tokens, spans } = ev.example;
    const t0 = process.hrtime.bigint();
    const predicted = labeler.label(text);
    ns += process.hrtime.bigint() - t0;
    const ranges = tokens ? tokenRanges(tokens) : tokenizeWords(text);
    scorer.add(spansToBio(ranges, only(spans ?? [], keep)), spansToBio(ranges, only(predicted, keep)));
    sentences++;
    words += ranges.length;
    if (options.limit !== undefined && sentences >= options.limit) break;
  }
  const seconds = Number(ns) / 1e9;
  return {
    labeler: labeler.id,
    types,
    sentences,
    words,
    seconds,
    wordsPerSec: seconds > 0 ? words / seconds : 0,
    scores: scorer.scores(),
  };
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
