// "Label all occurrences": one undoable edit that adds pending spans on every whole-token match.
import type { Db } from '../../store/db';
import { recordEdit } from '../../store/repos/annotationLog';
import * as datasets from '../../store/repos/datasets';
import { spansOfExamples } from '../../store/repos/spans';
import type { LabelAllOccurrencesInput } from './schemas';
import { overlaps, wholeTokenMatches } from './text';

export interface LabelAllResult {
  /** Spans added. */
  readonly added: number;
  /** Examples that received at least one span. */
  readonly examples: number;
  /** Matches left alone because a span (not from the model) already covers them, or one was rejected there. */
  readonly skipped: number;
}

/**
 * Adds a pending gold span of `type` on every whole-token, case-sensitive match of `text` in the dataset,
 * except where a silver/gold span overlaps the match or the same span was rejected before.
 */
export function labelAllOccurrences(db: Db, { datasetId, text, type }: LabelAllOccurrencesInput): LabelAllResult {
  const d = datasets.getDataset(db, datasetId);
  const rows = db
    .prepare<[number, string], { id: number; text: string }>(
      'SELECT id, text FROM examples WHERE dataset_id = ? AND instr(text, ?) > 0 ORDER BY line',
    )
    .all(datasetId, text);
  return recordEdit(db, d.projectId, 'labelAllOccurrences', `${type} "${text}" everywhere`, (rec) => {
    const spans = spansOfExamples(
      db,
      rows.map((r) => r.id),
    );
    let added = 0;
    let skipped = 0;
    let touched = 0;
    for (const r of rows) {
      const existing: { start: number; end: number; type: string; source: string; status: string }[] = [
        ...(spans.get(r.id) ?? []),
      ];
      let any = false;
      for (const start of wholeTokenMatches(r.text, text)) {
        const end = start + text.length;
        const blocked = existing.some(
          (s) =>
            (s.source !== 'model' && s.status !== 'rejected' && overlaps(s.start, s.end, start, end)) ||
            (s.status === 'rejected' && s.start === start && s.end === end && s.type === type),
        );
        if (blocked) {
          skipped++;
          continue;
        }
        existing.push(
          rec.insertSpan({
            exampleId: r.id,
            start,
            end,
            type,
            source: 'gold',
            status: 'pending',
            labeler: 'label-all',
          }),
        );
        added++;
        any = true;
      }
      if (any) touched++;
    }
    return { added, examples: touched, skipped };
  });
}
