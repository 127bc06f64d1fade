// What a run trains on, read from the store: each task's train and dev examples with their usable spans.
import type { LabelledText } from '../../data/prepare';
import type { CharSpan } from '../../data/types';
import type { Db } from '../../store/db';
import { getDataset } from '../../store/repos/datasets';
import type { Split } from '../../store/types';
import { ServiceError } from '../api/errors';
import { sameSource, type DataSource, type TaskSources } from './sources';

/** An example as training sees it: its store id, the class label (if any) and the gold + silver spans. */
export interface StoredExample extends LabelledText {
  readonly id: number;
  readonly spans: readonly CharSpan[];
  /** Its pending silver spans that carry the labeler's confidence (reviewed spans count as certain). */
  readonly silverConfidence?: readonly { readonly start: number; readonly end: number; readonly confidence: number }[];
}

/** The train and dev examples of a dataset, and whether it carries NER labels at all. */
export interface TrainingData {
  readonly train: readonly StoredExample[];
  readonly dev: readonly StoredExample[];
  /**
   * True when any train example has a usable span: then every example counts as NER-labelled (no span =
   * all O). A dataset nobody has labelled yet (no silver run, no edits) has no NER task.
   */
  readonly hasNer: boolean;
}

// Gold and silver spans that a person has not rejected; model spans are predictions, never training data.
const SPANS_SQL = `SELECT s.example_id AS exampleId, s.char_start AS start, s.char_end AS end, s.type AS type,
    CASE WHEN s.source = 'silver' AND s.status = 'pending' THEN s.confidence END AS confidence
  FROM spans s JOIN examples e ON e.id = s.example_id
  WHERE e.dataset_id = ? AND (? IS NULL OR e.split = ?) AND s.source IN ('gold', 'silver') AND s.status IN ('accepted', 'pending')
  ORDER BY s.example_id, s.char_start, s.char_end`;

/** A ready dataset's examples of one split (all of them for split null), in line order, with their usable spans. */
export function readSource(db: Db, source: DataSource): StoredExample[] {
  const dataset = getDataset(db, source.datasetId);
  if (dataset.status !== 'ready') {
    throw new ServiceError(
      'conflict',
      `Dataset "${dataset.name}" is still importing; wait for the import to finish or discard it.`,
    );
  }
  const { datasetId, split } = source;
  const spans = new Map<number, CharSpan[]>();
  const confidence = new Map<number, { start: number; end: number; confidence: number }[]>();
  const spanRows = db.prepare<
    [number, Split | null, Split | null],
    CharSpan & { exampleId: number; confidence: number | null }
  >(SPANS_SQL);
  for (const s of spanRows.iterate(datasetId, split, split)) {
    const list = spans.get(s.exampleId) ?? [];
    list.push({ start: s.start, end: s.end, type: s.type });
    spans.set(s.exampleId, list);
    if (s.confidence !== null) {
      const scored = confidence.get(s.exampleId) ?? [];
      scored.push({ start: s.start, end: s.end, confidence: s.confidence });
      confidence.set(s.exampleId, scored);
    }
  }
  return db
    .prepare<[number, Split | null, Split | null], { id: number; text: string; label: string | null }>(
      `SELECT id, text, class_label AS label FROM examples WHERE dataset_id = ? AND (? IS NULL OR split = ?) ORDER BY line`,
    )
    .all(datasetId, split, split)
    .map((r) => ({
      id: r.id,
      text: r.text,
      spans: spans.get(r.id) ?? [],
      ...(confidence.has(r.id) && { silverConfidence: confidence.get(r.id)! }),
      ...(r.label !== null && { label: r.label }),
    }));
}

/** Reads a ready dataset's train and dev examples (line order) with their gold and silver, non-rejected spans. */
export function readTrainingData(db: Db, datasetId: number): TrainingData {
  const train = readSource(db, { datasetId, split: 'train' });
  const dev = readSource(db, { datasetId, split: 'dev' });
  return { train, dev, hasNer: train.some((e) => e.spans.length > 0) };
}

/** Each task's train and dev examples; a source both tasks share is read once (the same objects). */
export interface TaskTrainingData {
  readonly classification: { readonly train: readonly StoredExample[]; readonly dev: readonly StoredExample[] };
  readonly ner: { readonly train: readonly StoredExample[]; readonly dev: readonly StoredExample[] };
  /** The NER train source has any usable span (else there is no NER task). */
  readonly hasNer: boolean;
}

/** Reads what each task trains and evaluates on. */
export function readTaskData(db: Db, sources: TaskSources): TaskTrainingData {
  const cache = new Map<string, StoredExample[]>();
  const read = (s: DataSource): StoredExample[] => {
    const key = `${s.datasetId}:${s.split ?? '*'}`;
    let rows = cache.get(key);
    if (!rows) cache.set(key, (rows = readSource(db, s)));
    return rows;
  };
  const classification = { train: read(sources.classification.train), dev: read(sources.classification.dev) };
  const ner = { train: read(sources.ner.train), dev: read(sources.ner.dev) };
  return { classification, ner, hasNer: ner.train.some((e) => e.spans.length > 0) };
}

/** Examples prepared together, and which tasks their labels teach (the other task's labels are ignored). */
export interface ExampleGroup {
  readonly examples: readonly StoredExample[];
  readonly classification: boolean;
  readonly ner: boolean;
}

/**
 * What a run trains and evaluates on: per split, one group when both tasks read the same examples, else one
 * group per task that is on (classification examples teach classes only, NER examples entities only).
 */
export function trainingExamples(
  sources: TaskSources,
  data: TaskTrainingData,
  tasks: { readonly classification: boolean; readonly ner: boolean },
): { readonly train: readonly ExampleGroup[]; readonly dev: readonly ExampleGroup[] } {
  const groups = (which: 'train' | 'dev'): ExampleGroup[] => {
    if (!tasks.classification && !tasks.ner) return [];
    if (sameSource(sources.classification[which], sources.ner[which]))
      return [{ examples: data.classification[which], classification: tasks.classification, ner: tasks.ner }];
    return [
      ...(tasks.classification ? [{ examples: data.classification[which], classification: true, ner: false }] : []),
      ...(tasks.ner ? [{ examples: data.ner[which], classification: false, ner: true }] : []),
    ];
  };
  return { train: groups('train'), dev: groups('dev') };
}

/** Sorted entity types of the train examples' spans. */
export function entityTypes(examples: readonly StoredExample[]): string[] {
  return [...new Set(examples.flatMap((e) => e.spans.map((s) => s.type)))].sort();
}

/** Count of examples per class label ('' never appears: unlabelled examples are not counted). */
export function countByClass(examples: readonly StoredExample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of examples) if (e.label !== undefined) out[e.label] = (out[e.label] ?? 0) + 1;
  return out;
}

/** Count of spans per entity type. */
export function countByType(examples: readonly StoredExample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of examples) for (const s of e.spans) out[s.type] = (out[s.type] ?? 0) + 1;
  return out;
}
