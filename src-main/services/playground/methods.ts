/**
 * Wiring of the Playground (services/playground) to the contract: one text through a run's best checkpoint,
 * and the run's dev examples nearest to it.
 */
import { z } from 'zod';
import type { DbHandle } from '../app/db';
import { defineMethod, type MethodSlice } from '../api/methods';
import { exampleId } from '../api/ids';
import { nearestExamples, NearestExamplesInput, predictText } from '.';
import { IdSchema } from '../projects/ids';

// The service also takes a checkpoint folder instead of a run; the UI always names a run.
const PredictRunText = z.object({
  runId: IdSchema,
  text: z.string().max(100_000),
  precision: z.enum(['fp32', 'int8']).default('fp32'),
});

type PlaygroundMethods = 'playground.predict' | 'playground.nearest';

/** Builds the `playground.*` methods over the database in `db`. */
export function playgroundMethods(db: DbHandle): MethodSlice<PlaygroundMethods> {
  return {
    'playground.predict': defineMethod('playground.predict', PredictRunText, async (input) => {
      const p = await predictText(db.get(), input);
      return {
        label: p.label,
        classProbs: p.classProbs,
        entities: p.entities,
        tokens: p.tokens,
        truncated: p.truncated,
        precision: p.precision,
        predictMs: p.predictMs,
      };
    }),
    'playground.nearest': defineMethod('playground.nearest', NearestExamplesInput, async (input) => {
      const r = await nearestExamples(db.get(), input);
      return {
        devExamples: r.devExamples,
        neighbours: r.neighbours.map((n) => ({ ...n, exampleId: exampleId(n.exampleId) })),
      };
    }),
  };
}
