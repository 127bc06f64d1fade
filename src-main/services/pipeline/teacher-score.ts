/**
 * Silver NER trained, scored on a gold dev file ("the student must beat its teacher"): which entity types
 * can be trained (the labeler's that the gold dev also names), which gold dev spans the labeler cannot
 * produce (dropped from dev, e.g. CoNLL's MISC), how the silver labeler itself scores on that same dev, and
 * the run's best NER F1 beside it.
 */
import type { LabelledText } from '../../data/prepare';
import { type Labeler, scoreLabeler } from '../../data/silver';
import type { NerScores, Prf } from '../../engine/metrics';
import type { TrainResult } from '../../engine/trainer';
import { PipelineInputError } from './read';

/** The silver labeler's entity scores on the gold dev (seqeval, word level: silver/evaluate.ts). */
export interface TeacherScore {
  readonly labeler: string;
  readonly dev: string;
  readonly types: readonly string[];
  readonly sentences: number;
  readonly words: number;
  readonly scores: NerScores;
}

/** The labeler (teacher) beside the trained run (student) on the same gold dev. */
export interface TeacherComparison {
  readonly labeler: TeacherScore;
  /**
   * The NER F1 of the run's best checkpoint (best/; with NER the only task that is the best NER F1 seen),
   * its step, and per type when this process saw that evaluation; null when there is none. The checkpoint
   * is picked on this same dev (as every run's best is), so the number leans optimistic by that choice.
   */
  readonly student: {
    readonly f1: number | null;
    readonly step: number;
    readonly perType?: Readonly<Record<string, number>>;
  };
  /** 100 x (student F1 - labeler micro F1); null without a student F1. */
  readonly studentMinusLabelerPoints: number | null;
}

/**
 * The entity types a silver-trained run scored on gold dev trains: the labeler's that the dev also names,
 * in the labeler's order. Refuses an empty intersection with both lists and what to do.
 */
export function goldDevTypes(
  labeler: { readonly id: string; readonly types: readonly string[] },
  devTypes: readonly string[],
  paths: { readonly train: string; readonly dev: string },
): string[] {
  const named = new Set(devTypes);
  const types = labeler.types.filter((t) => named.has(t));
  if (types.length > 0) return types;
  const dev = devTypes.length > 0 ? `names entity types ${[...devTypes].sort().join(', ')}` : 'names no entity types';
  throw new PipelineInputError(
    `${paths.dev} carries gold NER tags but ${dev}, and the silver labeler ${labeler.id} that labels ${paths.train} makes only ${labeler.types.join(', ')}: no type in common, so the trained NER could not be scored on the dev's gold tags. Give a dev file tagged with some of ${labeler.types.join(', ')}, or a text-only dev file (its texts are then silver-labelled and scored on those).`,
  );
}

/** Gold dev spans of the trained types only; the rest (types the labeler cannot produce) counted by type. */
export function keepTypes(
  items: readonly LabelledText[],
  types: readonly string[],
): { readonly items: LabelledText[]; readonly dropped: Readonly<Record<string, number>> } {
  const keep = new Set(types);
  const dropped: Record<string, number> = {};
  const kept = items.map((e) => {
    if (!e.spans) return e;
    const spans = e.spans.filter((s) => {
      if (keep.has(s.type)) return true;
      dropped[s.type] = (dropped[s.type] ?? 0) + 1;
      return false;
    });
    return spans.length === e.spans.length ? e : { ...e, spans };
  });
  return { items: kept, dropped };
}

/** "MISC (1,234 spans), EVENT (3 spans)"; '' when nothing was dropped. */
export function droppedText(dropped: Readonly<Record<string, number>>): string {
  return Object.entries(dropped)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, n]) => `${t} (${n.toLocaleString('en-US')} span${n === 1 ? '' : 's'})`)
    .join(', ');
}

/** Scores the labeler on the gold dev items already read, over `types` (as `mts label --eval` scores a file). */
export function teacherScore(
  items: readonly LabelledText[],
  labeler: Labeler,
  types: readonly string[],
  dev: string,
): TeacherScore {
  const e = scoreLabeler(items, labeler, types);
  return { labeler: e.labeler, dev, types, sentences: e.sentences, words: e.words, scores: e.scores };
}

/** The labeler's score beside the run's best NER F1 on the same dev, and the difference in points. */
export function compareWithTeacher(teacher: TeacherScore, best: TrainResult['best']): TeacherComparison {
  const ner = best.metrics?.ner;
  const f1 = best.metric === 'ner.f1' ? best.value : (ner?.f1 ?? null);
  const perType = ner && Object.fromEntries(ner.perType.map((t) => [t.type, t.f1]));
  return {
    labeler: teacher,
    student: { f1, step: best.step, ...(perType && { perType }) },
    studentMinusLabelerPoints: f1 === null ? null : 100 * (f1 - teacher.scores.micro.f1),
  };
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(6);
// student: the run's F1 on that row ('' without a run column, 'n/a' when the run has no such row).
const row = (name: string, s: Prf, student: string): string =>
  `  ${name.padEnd(6)}${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)} ${String(s.support).padStart(8)}${student}`;
const runF1 = (column: object | undefined, f1: number | undefined): string =>
  column === undefined ? '' : ` ${f1 === undefined ? '   n/a' : pct(f1)}`;

/** The comparison as the CLI prints it: the labeler's P/R/F1 per type and micro, the run's F1, the difference. */
export function formatTeacherComparison(c: TeacherComparison): string {
  const t = c.labeler;
  const student = c.student;
  const diff = c.studentMinusLabelerPoints;
  const header = ['type'.padEnd(6), 'P'.padStart(6), 'R'.padStart(7), 'F1'.padStart(7), 'support'.padStart(9)];
  return [
    `Teacher vs student on gold ${t.dev} (${t.types.join(', ')}; ${t.sentences} sentences, ${t.words} words): the labeler ${t.labeler}'s P/R/F1${student.perType ? ", the run's F1" : ''}`,
    `  ${header.join('')}${student.perType ? ' run F1' : ''}`,
    ...t.types.flatMap((type) => {
      const s = t.scores.perType[type];
      return s ? [row(type, s, runF1(student.perType, student.perType?.[type]))] : [];
    }),
    row('micro', t.scores.micro, runF1(student.perType, student.f1 ?? undefined)),
    student.f1 === null || diff === null
      ? "  No NER F1 of the run's best checkpoint to compare (it never evaluated, or resumed after its best)."
      : `  Run's best dev NER F1 ${(100 * student.f1).toFixed(2)} (step ${student.step}) vs labeler ${(100 * t.scores.micro.f1).toFixed(2)}: student - labeler = ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} points.`,
  ].join('\n');
}
