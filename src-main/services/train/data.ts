// What a run trains on, read from the store: one dataset's train and dev examples with their usable spans.
import type { LabelledText } from '../../data/prepare';
import type { CharSpan } from '../../data/types';
import type { Db } from '../../store/db';
import { getDataset } from '../../store/repos/datasets';
import { ServiceError } from '../api/errors';

/** An example as training sees it: its store id, the class label (if any) and the gold + silver spans. */
export interface StoredExample extends LabelledText {
  readonly id: number;
  readonly spans: readonly CharSpan[];
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
const SPANS_SQL = `SELECT s.example_id AS exampleId, s.char_start AS start, s.char_end AS end, s.type AS type
  FROM spans s JOIN examples e ON e.id = s.example_id
  WHERE e.dataset_id = ? AND e.split IN ('train', 'dev') AND s.source IN ('gold', 'silver') AND s.status IN ('accepted', 'pending')
  ORDER BY s.example_id, s.char_start, s.char_end`;

/** Reads a ready dataset's train and dev examples (line order) with their gold and silver, non-rejected spans. */
export function readTrainingData(db: Db, datasetId: number): TrainingData {
  const dataset = getDataset(db, datasetId);
  if (dataset.status !== 'ready') {
    throw new ServiceError(
      'conflict',
      `Dataset "${dataset.name}" is still importing; wait for the import to finish or discard it.`,
    );
  }
  const spans = new Map<number, CharSpan[]>();
  for (const s of db.prepare<[number], CharSpan & { exampleId: number }>(SPANS_SQL).iterate(datasetId)) {
    const list = spans.get(s.exampleId) ?? [];
    list.push({ start: s.start, end: s.end, type: s.type });
    spans.set(s.exampleId, list);
  }
  const rows = db
    .prepare<[number], { id: number; text: string; split: 'train' | 'dev'; label: string | null }>(
      `SELECT id, text, split, class_label AS label FROM examples WHERE dataset_id = ? AND split IN ('train', 'dev') ORDER BY line`,
    )
    .all(datasetId);
  const train: StoredExample[] = [];
  const dev: StoredExample[] = [];
  for (const r of rows) {
    const e: StoredExample = {
      id: r.id,
      text: r.text,
      spans: spans.get(r.id) ?? [],
      ...(r.label !== null && { label: r.label }),
    };
    (r.split === 'train' ? train : dev).push(e);
  }
  return { train, dev, hasNer: train.some((e) => e.spans.length > 0) };
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
