/**
 * Which tasks a pipeline run trains, and from which labels, decided by the data it is given:
 * - `--train/--dev` with class labels: classification on them (gold);
 * - NER tags in `--ner-train/--ner-dev` (CoNLL or span JSONL): NER on those gold tags; alone, NER only;
 * - NER tags in `--train/--dev` themselves (a CoNLL file, span JSONL): NER on those gold tags, never silver
 *   labels over them;
 * - texts without NER tags: silver NER labels from the rules labeler, unless `--no-ner`; a `--dev` that
 *   carries NER tags is scored on those gold tags (over the types both the labeler and the dev name), and
 *   the labeler is scored on it too (teacher-score.ts).
 * The result names each task's label source for the run report.
 */
import { type LabelledText, prepareExamples } from '../../data/prepare';
import type { WordPieceTokenizer } from '../../engine/tokenizer';
import type { TrainExample } from '../../engine/trainer';
import { type SilverWeighting, silverLabeler, silverWeightRanges } from '../../data/silver';
import type { ImportReport } from '../../data/types';
import { classLabelSet, PipelineInputError, readLabelledFile } from './read';
import { droppedText, goldDevTypes, keepTypes, teacherScore, type TeacherScore } from './teacher-score';

/** Where a task's labels came from, as the run report names it. */
export type LabelSource =
  | { readonly kind: 'gold'; readonly train: string; readonly dev: string }
  /** Silver labels on both train and dev texts (the dev file had no NER tags). */
  | { readonly kind: 'silver'; readonly labeler: string; readonly train: string; readonly dev: string }
  /**
   * Silver labels on train, gold tags on dev: the dev's spans of types the labeler cannot produce were
   * dropped (their counts by type), so the run is scored on the types it was taught.
   */
  | {
      readonly kind: 'silver-train-gold-dev';
      readonly labeler: string;
      readonly train: string;
      readonly dev: string;
      readonly droppedDevSpans: Readonly<Record<string, number>>;
    }
  /**
   * Self-training round `round` (>= 1): the NER spans the previous round's best checkpoint predicted on the
   * train texts, every label weighing 1 (the labeler's confidence weights applied to round 0 only); the dev
   * keeps the labels it had in round 0 (`devLabels`: the dev file's gold tags, or the labeler's silver ones).
   */
  | {
      readonly kind: 'self-trained';
      readonly round: number;
      readonly checkpoint: string;
      readonly train: string;
      readonly dev: string;
      readonly devLabels: 'gold' | 'silver';
    };

export interface SilverStats {
  readonly labeler: string;
  readonly spans: number;
  readonly wordsPerSec: number;
  readonly perType: Readonly<Record<string, number>>;
  /** Confidence-aware silver labels: the policy, and how many train spans / unsure words it down-weighted. */
  readonly weighting?: SilverWeighting & {
    readonly spansBelow: number;
    readonly unsureWords: number;
    readonly rangesDownWeighted: number;
  };
}

/** The examples of each task (one text may serve both), with label names and sources. */
export interface TaskData {
  readonly classLabels: string[];
  readonly nerTypes: string[];
  /** Texts with class labels and, when `mainHasNer`, their NER spans too. */
  readonly mainTrain: LabelledText[];
  readonly mainDev: LabelledText[];
  /** The main texts carry NER spans (gold from the file, or silver; silver train may have a gold dev). */
  readonly mainHasNer: boolean;
  /** Separate NER-only texts (from --ner-train/--ner-dev). */
  readonly nerTrain: LabelledText[];
  readonly nerDev: LabelledText[];
  readonly sources: { readonly classification?: LabelSource; readonly ner?: LabelSource };
  readonly silver?: SilverStats;
  /** Silver train, gold dev: the silver labeler's own score on that dev, for the run report. */
  readonly teacher?: TeacherScore;
}

export interface TaskInputs {
  readonly train?: string;
  readonly dev?: string;
  readonly nerTrain?: string;
  readonly nerDev?: string;
  readonly ner: 'silver' | 'none';
  readonly skipBadRows: boolean;
  readonly limit: number;
  readonly devLimit: number;
  /** Silver labels below this confidence are ignored in the NER loss (0 = every silver label counts). */
  readonly silverMinConfidence?: number;
  readonly silverWeights?: SilverWeighting['weights'];
}

type Read = { items: LabelledText[]; report: ImportReport };
const hasLabels = (r: Read): boolean => r.items.some((e) => e.label !== undefined);
// A file carries NER tags when it is CoNLL (every token tagged, O included) or it names entity types.
const hasNerTags = (r: Read): boolean => r.report.format === 'conll' || r.report.entityTypes.length > 0;
const withoutLabels = (items: LabelledText[]): LabelledText[] => items.map(({ label: _ignored, ...rest }) => rest);

/** Reads the files and decides the tasks; refuses combinations that train nothing or mix sources. */
export async function readTasks(
  o: TaskInputs,
  onStage: (stage: 'read' | 'label', message: string) => void,
): Promise<TaskData> {
  if ((o.train === undefined) !== (o.dev === undefined)) {
    throw new PipelineInputError(
      '--train and --dev go together: give both files, or neither (with --ner-train/--ner-dev).',
    );
  }
  if ((o.nerTrain === undefined) !== (o.nerDev === undefined)) {
    throw new PipelineInputError(
      '--ner-train needs --ner-dev (a gold NER dev file to evaluate on), and the other way round.',
    );
  }
  if (o.train === undefined && o.nerTrain === undefined) {
    throw new PipelineInputError(
      'nothing to train on: give --train FILE --dev FILE (label,text; or CoNLL for NER), or --ner-train FILE --ner-dev FILE.',
    );
  }
  const read = (path: string, limit: number): Promise<Read> =>
    readLabelledFile(path, { skipBadRows: o.skipBadRows, limit });
  onStage('read', `reading ${[o.train, o.dev, o.nerTrain, o.nerDev].filter(Boolean).join(', ')}`);
  const main =
    o.train !== undefined ? { train: await read(o.train, o.limit), dev: await read(o.dev!, o.devLimit) } : null;
  const ner =
    o.nerTrain !== undefined
      ? { train: await read(o.nerTrain, o.limit), dev: await read(o.nerDev!, o.devLimit) }
      : null;

  const classLabels =
    main && hasLabels(main.train) ? classLabelSet(main.train.items, main.dev.items, o.train!, o.dev!) : [];
  const mainGoldNer = main !== null && hasNerTags(main.train);
  if (mainGoldNer && ner) {
    throw new PipelineInputError(
      `${o.train} already carries NER tags and --ner-train gives more: train NER from one of them (drop --ner-train, or pass a label,text file as --train).`,
    );
  }
  if (main && !mainGoldNer && classLabels.length === 0 && (o.ner === 'none' || ner)) {
    throw new PipelineInputError(
      `${o.train} has neither class labels nor NER tags${ner ? '; drop --train/--dev to train NER on --ner-train alone' : ', and --no-ner leaves nothing to train'}.`,
    );
  }
  const sources: { classification?: LabelSource; ner?: LabelSource } = {};
  if (classLabels.length > 0) sources.classification = { kind: 'gold', train: o.train!, dev: o.dev! };

  if (ner) {
    sources.ner = { kind: 'gold', train: o.nerTrain!, dev: o.nerDev! };
    return {
      classLabels,
      nerTypes: [...new Set(ner.train.report.entityTypes)].sort(),
      mainTrain: main?.train.items ?? [],
      mainDev: main?.dev.items ?? [],
      mainHasNer: false,
      nerTrain: withoutLabels(ner.train.items),
      nerDev: withoutLabels(ner.dev.items),
      sources,
    };
  }
  const m = main!;
  if (mainGoldNer) {
    sources.ner = { kind: 'gold', train: o.train!, dev: o.dev! };
    const types = [...new Set([...m.train.report.entityTypes, ...m.dev.report.entityTypes])].sort();
    return {
      classLabels,
      nerTypes: types,
      mainTrain: m.train.items,
      mainDev: m.dev.items,
      mainHasNer: true,
      nerTrain: [],
      nerDev: [],
      sources,
    };
  }
  if (o.ner === 'none') {
    return {
      classLabels,
      nerTypes: [],
      mainTrain: m.train.items,
      mainDev: m.dev.items,
      mainHasNer: false,
      nerTrain: [],
      nerDev: [],
      sources,
    };
  }
  return silverTasks(m, o, classLabels, sources, onStage);
}

/**
 * Silver NER over the train texts (weighted by the labels' confidence when asked). The dev is silver-labelled
 * too, unless it carries NER tags: then it keeps its gold tags over the types the labeler and the dev share
 * (the labeler is built for those; other gold types are dropped from dev and said so), and the labeler is
 * scored on it.
 */
function silverTasks(
  m: { readonly train: Read; readonly dev: Read },
  o: TaskInputs,
  classLabels: string[],
  sources: { classification?: LabelSource; ner?: LabelSource },
  onStage: (stage: 'read' | 'label', message: string) => void,
): TaskData {
  const devGold = hasNerTags(m.dev);
  if (devGold && classLabels.length > 0 && !hasLabels(m.dev)) {
    throw new PipelineInputError(
      `${o.train} has class labels but ${o.dev} has none (it is an NER file), so the classifier could not be scored. Give a label,text dev file (its NER is then scored on silver labels), or, to score silver NER on ${o.dev}'s gold tags, train on a text-only file (one text column) or a dev with both class labels and NER spans (span JSONL).`,
    );
  }
  const base = silverLabeler();
  const paths = { train: o.train!, dev: o.dev! };
  const types = devGold ? goldDevTypes(base, m.dev.report.entityTypes, paths) : null;
  const labeler = types ? silverLabeler({ types }) : base;
  onStage('label', `${o.train} has no NER tags: silver NER with ${labeler.id} (${labeler.types.join(', ')})`);
  const weighting: SilverWeighting = {
    minConfidence: o.silverMinConfidence ?? 0,
    weights: o.silverWeights ?? 'ignore',
  };
  const weighted = weighting.minConfidence > 0 || weighting.weights === 'confidence';
  const counts = { spansBelow: 0, unsureWords: 0, rangesDownWeighted: 0 };
  const t0 = performance.now();
  let words = 0;
  const perType: Record<string, number> = {};
  // Train texts carry NER weights from the labels' confidence (when asked); dev is scored on every label.
  const label = (items: readonly LabelledText[], withWeights: boolean): LabelledText[] =>
    items.map((e) => {
      words += e.text.split(/\s+/).length;
      const out = labeler.explain(e.text);
      for (const s of out.spans) perType[s.type] = (perType[s.type] ?? 0) + 1;
      if (!withWeights) return { ...e, spans: out.spans };
      const ranges = silverWeightRanges(out, weighting);
      counts.spansBelow += out.spans.filter((s) => (s.confidence ?? 1) < weighting.minConfidence).length;
      counts.unsureWords += out.unsure.length;
      counts.rangesDownWeighted += ranges.length;
      return { ...e, spans: out.spans, ...(ranges.length > 0 && { nerWeights: ranges }) };
    });
  const mainTrain = label(m.train.items, weighted);
  const gold = types ? { types, ...keepTypes(m.dev.items, types) } : null;
  const mainDev = gold ? gold.items : label(m.dev.items, false);
  const silver: SilverStats = {
    labeler: labeler.id,
    spans: Object.values(perType).reduce((a, b) => a + b, 0),
    wordsPerSec: words / ((performance.now() - t0) / 1000),
    perType,
    ...(weighted && { weighting: { ...weighting, ...counts } }),
  };
  sources.ner = gold
    ? { kind: 'silver-train-gold-dev', labeler: labeler.id, ...paths, droppedDevSpans: gold.dropped }
    : { kind: 'silver', labeler: labeler.id, ...paths };
  if (gold) {
    const dropped = droppedText(gold.dropped);
    onStage(
      'label',
      `${o.dev} carries gold NER tags: the run is scored on them, not on silver labels, over ${gold.types.join(', ')} (the types both ${labeler.id} and the dev name)${dropped ? `; dropped from dev, as ${labeler.id} cannot produce them: ${dropped}` : ''}`,
    );
  }
  return {
    classLabels,
    nerTypes: [...labeler.types],
    mainTrain,
    mainDev,
    mainHasNer: true,
    nerTrain: [],
    nerDev: [],
    sources,
    silver,
    ...(gold && { teacher: teacherScore(gold.items, labeler, gold.types, o.dev!) }),
  };
}

/**
 * Tokenises the tasks' texts and aligns their labels: the main texts with their class labels (and NER
 * spans when they carry them), then the NER-only texts. The pipeline and the hf-trainer export prepare
 * through this one function, so both see the same examples in the same order.
 */
export function prepareTasks(
  tasks: TaskData,
  tokenizer: WordPieceTokenizer,
  o: { readonly classLabels: readonly string[]; readonly nerTags: readonly string[]; readonly maxLength: number },
): { readonly train: TrainExample[]; readonly dev: TrainExample[]; readonly truncated: number } {
  const prep = (items: readonly LabelledText[], hasNer: boolean, classLabels: readonly string[]) =>
    prepareExamples(items, tokenizer, { classLabels, nerTags: o.nerTags, maxLength: o.maxLength, hasNer });
  const parts = [
    prep(tasks.mainTrain, tasks.mainHasNer, o.classLabels),
    prep(tasks.nerTrain, true, []),
    prep(tasks.mainDev, tasks.mainHasNer, o.classLabels),
    prep(tasks.nerDev, true, []),
  ];
  return {
    train: [...parts[0]!.examples, ...parts[1]!.examples],
    dev: [...parts[2]!.examples, ...parts[3]!.examples],
    truncated: parts.reduce((s, p) => s + p.truncated, 0),
  };
}
