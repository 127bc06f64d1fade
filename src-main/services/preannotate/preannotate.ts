// "Pre-annotate with run X": the run's NER predictions replace the chosen examples' pending silver spans and
// its class prediction is stored, all as one undoable edit. Gold spans and accepted spans are settled and never
// touched; a proposal equal to one is still written (as the record that the model agreed), one that overlaps
// one differently is not (the settled span then has no model twin, which is what "model disagrees" looks for).
import { z } from 'zod';
import type { PredictionOk } from '../../engine/infer';
import type { Db } from '../../store/db';
import { listHistory, recordEdit, type EditRecorder } from '../../store/repos/annotationLog';
import { getProject } from '../../store/repos/projects';
import { getRun } from '../../store/repos/runs';
import { spansOfExample } from '../../store/repos/spans';
import { nowIso, type Span } from '../../store/types';
import { ServiceError } from '../api';
import { predictorCache, type PredictorCache } from '../playground/cache';
import { IdSchema } from '../projects/ids';
import { runCheckpointDir } from '../train/artifacts';

export const PreannotateInput = z.object({
  runId: IdSchema,
  exampleIds: z.array(IdSchema).min(1).max(5000),
  /** Predicted entities below this confidence are not proposed. */
  minConfidence: z.number().min(0).max(1).default(0),
  /** Leave examples marked reviewed untouched (default, as the silver labeler does). */
  skipReviewed: z.boolean().default(true),
  /**
   * 'ask': when the minimum confidence leaves proposals out and the spans kept are fewer than the pending spans
   * they would replace (a threshold that keeps none), write nothing and return the counts with `applied: false`,
   * so a person can confirm first.
   */
  onFewer: z.enum(['replace', 'ask']).default('replace'),
});
export type PreannotateInput = z.output<typeof PreannotateInput>;

export interface PreannotateSummary {
  /** Examples whose spans were looked at (reviewed ones excluded when skipped). */
  readonly examples: number;
  readonly removedSilver: number;
  /** Pending model spans of an earlier pre-annotation, replaced by this one. */
  readonly removedModel: number;
  readonly added: number;
  /** Of `added`: equal (offsets and type) to a gold or accepted span, written as the model's agreement. */
  readonly agreed: number;
  /** Examples whose prediction was stamped: model label and its probability (null without a class head), time. */
  readonly classesStored: number;
  readonly skipped: {
    readonly reviewed: number;
    /** Overlapping a gold or accepted span with other offsets or another type. */
    readonly settled: number;
    /** Equal to a span a person rejected. */
    readonly rejected: number;
    readonly lowConfidence: number;
  };
  /** The annotation-log entry id: `undo` for the project reverts the whole pre-annotation. */
  readonly logEntryId: number | null;
  /** False when `onFewer: 'ask'` stopped before writing: the counts say what it would have done. */
  readonly applied: boolean;
}

export interface PreannotateRuntime {
  readonly cache?: PredictorCache;
}

interface Target {
  readonly id: number;
  readonly text: string;
  readonly status: string;
  readonly projectId: number;
}

/** Predicts the chosen examples: model spans replace their pending silver ones, class stored; one undo for all. */
export async function preannotate(
  db: Db,
  { runId, exampleIds, minConfidence, skipReviewed, onFewer }: PreannotateInput,
  rt: PreannotateRuntime = {},
): Promise<PreannotateSummary> {
  const run = getRun(db, runId);
  const dir = runCheckpointDir(db, runId);
  const targets = loadTargets(db, exampleIds, run.projectId);
  const chosen = skipReviewed ? targets.filter((t) => t.status !== 'reviewed') : targets;
  const predictions = await (rt.cache ?? predictorCache).use(dir, async (m) => {
    if (m.loaded.predictor.labels.ner.length === 0) {
      throw new ServiceError(
        'conflict',
        `Run ${runId} has no NER head (it trained classification only), so it cannot propose spans; pick a run that trained NER.`,
      );
    }
    return m.batchPredict(chosen.map((t) => t.text));
  });
  const counts: Counts = {
    removedSilver: 0,
    removedModel: 0,
    added: 0,
    agreed: 0,
    classesStored: 0,
    settled: 0,
    rejected: 0,
    lowConfidence: 0,
  };
  // Planned first, written second: the counts exist before anything changes, so 'ask' can stop in between.
  const plans = chosen.map((t, i) => {
    const p = predictions[i]!;
    return p.ok
      ? { target: t, prediction: p, plan: planExample(spansOfExample(db, t.id), p, minConfidence, counts) }
      : null;
  });
  const summary = (logEntryId: number | null, applied: boolean): PreannotateSummary => {
    const { settled, rejected, lowConfidence, ...rest } = counts;
    return {
      examples: chosen.length,
      ...rest,
      skipped: { reviewed: targets.length - chosen.length, settled, rejected, lowConfidence },
      logEntryId,
      applied,
    };
  };
  // Only the threshold's doing is asked about: proposals it left out, and fewer spans kept than replaced.
  const thresholdShrinks = counts.lowConfidence > 0 && counts.added < counts.removedSilver + counts.removedModel;
  if (onFewer === 'ask' && thresholdShrinks) return summary(null, false);
  const at = nowIso();
  const changed = recordEdit(
    db,
    run.projectId,
    'preannotate',
    `pre-annotate ${chosen.length} example(s) with run ${runId} (${run.name})`,
    (rec) => {
      for (const planned of plans) {
        if (planned === null) continue;
        const { target, prediction, plan } = planned;
        plan.remove.forEach((id) => rec.deleteSpan(id));
        for (const e of plan.add)
          rec.insertSpan({ exampleId: target.id, ...e, source: 'model', status: 'pending', labeler: `run:${runId}` });
        storeClass(rec, target.id, prediction, at);
        counts.classesStored++;
      }
      return rec.changes.length > 0;
    },
  );
  // recordEdit appended the entry in its own (synchronous, immediate) transaction just now.
  return summary(changed ? (listHistory(db, run.projectId, 1)[0]?.id ?? null) : null, true);
}

function loadTargets(db: Db, ids: readonly number[], projectId: number): Target[] {
  const get = db.prepare<[number], Target>(
    'SELECT e.id, e.text, e.status, d.project_id AS projectId FROM examples e JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?',
  );
  return [...new Set(ids)].map((id) => {
    const t = get.get(id);
    if (!t) throw new ServiceError('not_found', `Example ${id} does not exist; refresh the list and choose again.`);
    if (t.projectId !== projectId) {
      throw new ServiceError(
        'invalid_input',
        `Example ${id} belongs to project "${getProject(db, t.projectId).name}", but the run belongs to project "${getProject(db, projectId).name}"; pre-annotate with a run of the same project.`,
      );
    }
    return t;
  });
}

type Counts = {
  removedSilver: number;
  removedModel: number;
  added: number;
  agreed: number;
  classesStored: number;
  settled: number;
  rejected: number;
  lowConfidence: number;
};

/** What pre-annotating one example changes: pending silver/model spans to delete, model spans to insert. */
interface ExamplePlan {
  readonly remove: readonly number[];
  readonly add: readonly { start: number; end: number; type: string; confidence: number }[];
}

function planExample(before: readonly Span[], p: PredictionOk, minConfidence: number, counts: Counts): ExamplePlan {
  const remove: number[] = [];
  for (const s of before) {
    if (s.status !== 'pending') continue;
    if (s.source === 'silver') counts.removedSilver++;
    else if (s.source === 'model') counts.removedModel++;
    else continue; // pending gold (label-all) is a person's choice
    remove.push(s.id);
  }
  const kept = before.filter((s) => !(s.status === 'pending' && (s.source === 'silver' || s.source === 'model')));
  const settled = kept.filter((s) => s.status !== 'rejected');
  const rejected = kept.filter((s) => s.status === 'rejected');
  const add: { start: number; end: number; type: string; confidence: number }[] = [];
  for (const e of p.entities) {
    // An equal settled span wins over an equal rejected one: the person's last word on it was yes.
    const agrees = settled.some((s) => same(s, e));
    if (e.confidence < minConfidence) counts.lowConfidence++;
    else if (!agrees && rejected.some((r) => same(r, e))) counts.rejected++;
    else if (settled.some((s) => overlaps(s, e) && !same(s, e))) counts.settled++;
    else {
      add.push({ start: e.start, end: e.end, type: e.type, confidence: e.confidence });
      counts.added++;
      if (agrees) counts.agreed++;
    }
  }
  return { remove, add };
}

/**
 * Writes the class prediction through the edit, so undo removes it with the spans. The time is written even
 * without a class head: it marks the example as predicted, which the "model disagrees" filter requires.
 */
function storeClass(rec: EditRecorder, exampleId: number, p: PredictionOk, at: string): void {
  const prob = p.label === null ? null : (p.classProbs.find((c) => c.label === p.label)?.prob ?? null);
  rec.updateExample(exampleId, { modelLabel: p.label, modelConfidence: prob, modelAt: at });
}

function same(a: Pick<Span, 'start' | 'end' | 'type'>, b: Pick<Span, 'start' | 'end' | 'type'>): boolean {
  return a.start === b.start && a.end === b.end && a.type === b.type;
}

function overlaps(a: Pick<Span, 'start' | 'end'>, b: { readonly start: number; readonly end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}
