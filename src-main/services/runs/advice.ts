/**
 * The training advisor over a stored run: its train-split losses and dev evaluations from run_metrics, its
 * recipe from the stored config. Works on a live run too (advice appears from the second evaluation on).
 */
import { z } from 'zod';
import { type Advice, adviseRun, type AdvisorEval, type AdvisorStep } from '../../engine/trainer';
import type { Db } from '../../store/db';
import { getMetrics } from '../../store/repos/runs';
import type { Run } from '../../store/types';

// Written by services/train/start.ts; older runs may lack fields, so every one is optional here.
const StoredConfig = z.looseObject({
  trainer: z
    .looseObject({
      lr: z.number().optional(),
      lossWeights: z.object({ classification: z.number(), ner: z.number() }).optional(),
    })
    .optional(),
  classLabels: z.array(z.string()).optional(),
  counts: z.looseObject({ dev: z.number().optional() }).optional(),
});

const TRAIN = { 'loss.classification': 'classification', 'loss.ner': 'ner' } as const;
const DEV = {
  'classification.accuracy': 'accuracy',
  'ner.f1': 'nerF1',
  'loss.classification': 'classificationLoss',
  'loss.ner': 'nerLoss',
} as const;

/** The advisor's reading of a stored run's curves; empty until the run has two evaluations. */
export function runAdvice(db: Db, run: Run): readonly Advice[] {
  const steps = new Map<number, Record<string, number>>();
  const evals = new Map<number, Record<string, number>>();
  for (const m of getMetrics(db, run.id)) {
    if (!Number.isFinite(m.value)) continue;
    const [table, names] = m.split === 'train' ? [steps, TRAIN] : m.split === 'dev' ? [evals, DEV] : [null, null];
    const key = table && (names as Record<string, string>)[m.name];
    if (!table || !key) continue;
    const row = table.get(m.step) ?? {};
    row[key] = m.value;
    table.set(m.step, row);
  }
  const cfg = StoredConfig.safeParse(run.config);
  const c = cfg.success ? cfg.data : {};
  const byStep = <T>(t: Map<number, Record<string, number>>): T[] =>
    [...t].sort(([a], [b]) => a - b).map(([step, row]) => ({ step, ...row }) as T);
  return adviseRun(byStep<AdvisorStep>(steps), byStep<AdvisorEval>(evals), {
    preset: run.preset,
    lr: c.trainer?.lr ?? 5e-5,
    lossWeights: c.trainer?.lossWeights ?? { classification: 1, ner: 1 },
    numClasses: c.classLabels?.length ?? 2,
    devExamples: c.counts?.dev ?? 0,
  });
}
