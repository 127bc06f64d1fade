// Storing a trained model's predictions (model-in-the-loop): they feed the "model disagrees" filter.
import type { Db } from '../../store/db';
import { getExample, setModelClass } from '../../store/repos/examples';
import { insertSpan, spansOfExample } from '../../store/repos/spans';
import { nowIso } from '../../store/types';
import { ServiceError } from '../api';
import type { ApplyModelPredictionsInput } from './schemas';
import { validOffsets } from './text';

export interface ApplyPredictionsSummary {
  readonly examples: number;
  readonly spans: number;
}

/**
 * Replaces the model's class prediction and non-rejected model spans of each given example, in one transaction.
 * Rejected model spans stay (a person said no) and the same span is not proposed again.
 */
export function applyModelPredictions(
  db: Db,
  { labeler, predictions }: ApplyModelPredictionsInput,
): ApplyPredictionsSummary {
  const del = db.prepare(`DELETE FROM spans WHERE example_id = ? AND source = 'model' AND status != 'rejected'`);
  return db
    .transaction(() => {
      const at = nowIso();
      let spans = 0;
      for (const p of predictions) {
        const e = getExample(db, p.exampleId);
        for (const s of p.spans) {
          if (!validOffsets(e.text, s.start, s.end)) {
            throw new ServiceError(
              'invalid_input',
              `Model span [${s.start}, ${s.end}) does not fit example ${e.id} (text length ${e.text.length}).`,
            );
          }
        }
        del.run(e.id);
        const rejected = spansOfExample(db, e.id).filter((s) => s.source === 'model' && s.status === 'rejected');
        setModelClass(db, e.id, p.label ?? null, p.confidence ?? null, at);
        for (const s of p.spans) {
          if (rejected.some((r) => r.start === s.start && r.end === s.end && r.type === s.type)) continue;
          insertSpan(db, {
            exampleId: e.id,
            start: s.start,
            end: s.end,
            type: s.type,
            source: 'model',
            status: 'pending',
            confidence: s.confidence ?? null,
            labeler,
          });
          spans++;
        }
      }
      return { examples: predictions.length, spans };
    })
    .immediate();
}
