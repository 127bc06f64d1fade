// labelDataset: runs a silver labeler over a dataset's examples, replacing only pending silver spans.
import type { Db } from '../../store/db';
import * as datasets from '../../store/repos/datasets';
import { insertSpan, spansOfExamples } from '../../store/repos/spans';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { CharSpan, SilverSpan } from '../../data/types';
import type { Labeler } from '../../data/silver/types';
import { ServiceError } from '../api';
import type { LabelDatasetInput } from './schemas';
import { overlaps, validOffsets } from './text';

export type LabelDatasetEvent =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number; readonly spans: number }
  | { readonly kind: 'done'; readonly summary: LabelSummary };

export interface LabelSummary {
  readonly examples: number;
  /** Silver spans stored (after dropping the ones a person already decided on). */
  readonly spans: number;
  /** Pending silver spans from earlier runs that were replaced. */
  readonly replaced: number;
  /** Proposed spans dropped: rejected before, overlapping a gold span, or with offsets outside the text. */
  readonly dropped: number;
  readonly seconds: number;
}

export interface LabelRuntime {
  /** The silver labeler; default: the full silver pipeline (silverLabeler() of src-main/data/silver). Each span records the labeler id that produced it. */
  readonly labeler?: Labeler;
  readonly onEvent?: (e: LabelDatasetEvent) => void;
  /** Aborting stops after the current batch; batches already committed stay (re-running is idempotent). */
  readonly signal?: AbortSignal;
}

/**
 * Labels every example of a dataset (reviewed ones skipped by default). Idempotent: each batch deletes the
 * examples' pending silver spans and inserts the new ones in one transaction; gold, model, accepted and
 * rejected spans are never touched, and a proposal equal to a rejected span or overlapping a gold one is dropped.
 * Not an undoable edit: it is a bulk machine step, re-run it instead.
 */
export async function labelDataset(
  db: Db,
  { datasetId, skipReviewed, batchSize }: LabelDatasetInput,
  rt: LabelRuntime = {},
): Promise<LabelSummary> {
  const started = performance.now();
  const d = datasets.getDataset(db, datasetId);
  if (d.status !== 'ready')
    throw new ServiceError('conflict', `Dataset "${d.name}" is still importing; finish the import first.`);
  // Loaded on demand: the default pipeline pulls in the NLP models, which most callers never need.
  const labeler = rt.labeler ?? (await import('../../data/silver')).silverLabeler();
  const skip = skipReviewed ? 1 : 0;
  const total =
    db
      .prepare<[number, number], { n: number }>(
        `SELECT count(*) AS n FROM examples WHERE dataset_id = ? AND (? = 0 OR status != 'reviewed')`,
      )
      .get(datasetId, skip)?.n ?? 0;
  // Paged by line so a large dataset is never held in memory at once.
  const page = db.prepare<[number, number, number, number], { id: number; line: number; text: string }>(
    `SELECT id, line, text FROM examples WHERE dataset_id = ? AND (? = 0 OR status != 'reviewed') AND line > ?
     ORDER BY line LIMIT ?`,
  );
  const del = db.prepare(`DELETE FROM spans WHERE example_id = ? AND source = 'silver' AND status = 'pending'`);
  const totals = { spans: 0, replaced: 0, dropped: 0 };
  const write = db.transaction(
    (batch: readonly { id: number; text: string }[], proposed: readonly (readonly (CharSpan | SilverSpan)[])[]) => {
      const existing = spansOfExamples(
        db,
        batch.map((r) => r.id),
      );
      batch.forEach((r, i) => {
        totals.replaced += del.run(r.id).changes;
        const kept = (existing.get(r.id) ?? []).filter((s) => !(s.source === 'silver' && s.status === 'pending'));
        for (const p of proposed[i] ?? []) {
          const clash = kept.some(
            (s) =>
              (s.status === 'rejected' && s.start === p.start && s.end === p.end && s.type === p.type) ||
              (s.source === 'gold' && s.status !== 'rejected' && overlaps(s.start, s.end, p.start, p.end)),
          );
          if (clash || !validOffsets(r.text, p.start, p.end)) {
            totals.dropped++;
            continue;
          }
          insertSpan(db, {
            exampleId: r.id,
            start: p.start,
            end: p.end,
            type: p.type,
            source: 'silver',
            status: 'pending',
            labeler: 'labeler' in p ? p.labeler : labeler.id,
            // The silver labeler's confidence: training can ignore spans below a threshold.
            confidence: 'confidence' in p ? (p.confidence ?? null) : null,
          });
          totals.spans++;
        }
      });
    },
  );
  let done = 0;
  let afterLine = 0;
  for (;;) {
    if (rt.signal?.aborted) {
      throw new ServiceError(
        'cancelled',
        `Labelling was cancelled after ${done} of ${total} examples; those stay labelled.`,
      );
    }
    const batch = page.all(datasetId, skip, afterLine, batchSize);
    if (batch.length === 0) break;
    const proposed = batch.map((r) => labeler.label(r.text));
    write.immediate(batch, proposed);
    done += batch.length;
    afterLine = batch[batch.length - 1].line;
    await yieldToEventLoop(); // let progress listeners, aborts and other requests run between batches
    rt.onEvent?.({ kind: 'progress', done, total, spans: totals.spans });
  }
  const summary: LabelSummary = { examples: done, ...totals, seconds: (performance.now() - started) / 1000 };
  rt.onEvent?.({ kind: 'done', summary });
  return summary;
}
