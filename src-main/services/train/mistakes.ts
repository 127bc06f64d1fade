// The dev examples a run gets wrong: predicted with its best checkpoint against the current labels.
import type { CharSpan } from '../../data/types';
import type { PredictedEntity, TextPrediction } from '../../engine/infer';
import type { Db } from '../../store/db';
import { getRun } from '../../store/repos/runs';
import { predictorCache, type PredictorCache } from '../playground/cache';
import { cachedPredictions } from '../playground/dev-cache';
import { dataSnapshotHash } from '../runs';
import { runCheckpointDir } from './artifacts';
import { readTaskData, type StoredExample } from './data';
import { sameSource, sourceDatasetIds } from './sources';
import { runDataInfo, runSources } from './run-info';
import type { RunMistakesInput } from './schemas';

/** A dev example whose predicted class differs from its label. */
export interface ClassMistake {
  readonly exampleId: number;
  readonly text: string;
  readonly gold: string;
  readonly predicted: string;
  /** Probability of the predicted class. */
  readonly confidence: number;
  /** Probability the model gave the gold class. */
  readonly goldProb: number;
}

/**
 * One entity disagreement: `missed` (a labelled span not predicted exactly), `spurious` (a prediction
 * matching no labelled span), `wrong-type` (same offsets, other type). Confidence is the prediction's
 * (for `missed`, that of an overlapping prediction if any, else null).
 */
export interface EntityMistake {
  readonly exampleId: number;
  readonly text: string;
  readonly kind: 'missed' | 'spurious' | 'wrong-type';
  readonly start: number;
  readonly end: number;
  /** The labelled type (missed, wrong-type) or the predicted one (spurious). */
  readonly type: string;
  readonly predictedType: string | null;
  readonly confidence: number | null;
}

export interface RunMistakes {
  readonly runId: number;
  readonly devExamples: number;
  /** Totals before `limit` is applied. */
  readonly classificationErrors: number;
  readonly entityErrors: number;
  /** Most confident first. */
  readonly classification: readonly ClassMistake[];
  readonly entities: readonly EntityMistake[];
  /** The dataset changed since the run trained (labels edited, examples added): the numbers use today's labels. */
  readonly dataChanged: boolean;
}

export interface MistakesRuntime {
  readonly cache?: PredictorCache;
}

/** Classification mistakes and entity mismatches of a run on its dataset's dev split, most confident first. */
export async function runMistakes(
  db: Db,
  { runId, limit }: RunMistakesInput,
  rt: MistakesRuntime = {},
): Promise<RunMistakes> {
  const run = getRun(db, runId);
  const info = runDataInfo(run);
  const sources = runSources(db, run);
  const dir = runCheckpointDir(db, runId);
  const data = readTaskData(db, sources);
  // Classes are checked on the classification dev data, entities on the NER dev data (the same when shared).
  const shared = sameSource(sources.classification.dev, sources.ner.dev);
  const dev = shared ? data.classification.dev : [...data.classification.dev, ...data.ner.dev];
  const firstNer = shared ? 0 : data.classification.dev.length;
  const predictions = await (rt.cache ?? predictorCache).use(dir, (m) => cachedPredictions(m, dev));
  const known = new Set(info.nerTags.filter((t) => t !== 'O').map((t) => t.slice(2)));
  const classification: ClassMistake[] = [];
  const entities: EntityMistake[] = [];
  dev.forEach((e, i) => {
    const p = predictions[i]!;
    if (!p.ok) return;
    const c = i < data.classification.dev.length ? classMistake(e, p) : null;
    if (c) classification.push(c);
    if (i >= firstNer && data.hasNer && known.size > 0) entities.push(...entityMistakes(e, p.entities, known));
  });
  classification.sort((a, b) => b.confidence - a.confidence);
  entities.sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1));
  const tasks = { classification: info.classLabels.length > 0, ner: info.nerTags.length > 0 };
  const hashNow = dataSnapshotHash(db, { datasetIds: sourceDatasetIds(sources, tasks) });
  return {
    runId,
    devExamples: dev.length,
    classificationErrors: classification.length,
    entityErrors: entities.length,
    classification: classification.slice(0, limit),
    entities: entities.slice(0, limit),
    dataChanged: hashNow !== run.dataHash,
  };
}

function classMistake(e: StoredExample, p: Extract<TextPrediction, { ok: true }>): ClassMistake | null {
  if (e.label === undefined || p.label === null || p.label === e.label) return null;
  const gold = p.classProbs.find((c) => c.label === e.label);
  if (!gold) return null; // a label the run never trained on: not the model's mistake
  const predicted = p.classProbs.find((c) => c.label === p.label)!;
  return {
    exampleId: e.id,
    text: e.text,
    gold: e.label,
    predicted: p.label,
    confidence: predicted.prob,
    goldProb: gold.prob,
  };
}

/** Exact-match comparison of labelled spans (of types the model knows) and predicted entities. */
export function entityMistakes(
  e: StoredExample,
  predicted: readonly PredictedEntity[],
  known: ReadonlySet<string>,
): EntityMistake[] {
  const gold = e.spans.filter((s) => known.has(s.type));
  const out: EntityMistake[] = [];
  const base = { exampleId: e.id, text: e.text };
  const same = (a: CharSpan, b: CharSpan): boolean => a.start === b.start && a.end === b.end;
  for (const g of gold) {
    const exact = predicted.find((p) => same(p, g));
    if (exact && exact.type === g.type) continue;
    if (exact) {
      out.push({
        ...base,
        kind: 'wrong-type',
        start: g.start,
        end: g.end,
        type: g.type,
        predictedType: exact.type,
        confidence: exact.confidence,
      });
      continue;
    }
    const near = predicted.filter((p) => p.start < g.end && g.start < p.end);
    const confidence = near.length > 0 ? Math.max(...near.map((p) => p.confidence)) : null;
    out.push({ ...base, kind: 'missed', start: g.start, end: g.end, type: g.type, predictedType: null, confidence });
  }
  for (const p of predicted) {
    if (gold.some((g) => same(p, g))) continue;
    out.push({
      ...base,
      kind: 'spurious',
      start: p.start,
      end: p.end,
      type: p.type,
      predictedType: p.type,
      confidence: p.confidence,
    });
  }
  return out;
}
