// Reading examples: filtered pages with totals, single examples with spans, and statistics.
import { z } from 'zod';
import { IdSchema } from '../projects/ids';
import type { Db } from '../../store/db';
import { getExample as getExampleRow } from '../../store/repos/examples';
import { spansOfExample, spansOfExamples } from '../../store/repos/spans';
import { datasetStats as statsQuery, queryExamples, type DatasetStats } from '../../store/repos/query';
import type { ExampleWithSpans } from '../../store/types';

const Scope = {
  datasetId: IdSchema.optional(),
  projectId: IdSchema.optional(),
};
const oneScope = (v: { datasetId?: number; projectId?: number }): boolean =>
  (v.datasetId === undefined) !== (v.projectId === undefined);
const scopeMessage = { message: 'give exactly one of datasetId or projectId' };

export const ListExamplesInput = z
  .object({
    ...Scope,
    split: z.enum(['train', 'dev', 'test']).optional(),
    classLabel: z.string().min(1).optional(),
    entityType: z.string().min(1).optional(),
    spanSource: z.enum(['silver', 'gold', 'model']).optional(),
    status: z.enum(['pending', 'reviewed', 'skipped']).optional(),
    /** true: only examples where the model's class or spans differ from the labels; false: only where they agree or no model ran. */
    modelDisagrees: z.boolean().optional(),
    contains: z.string().max(500).optional(),
    /** 'modelConfidence': least confident model predictions first. */
    order: z.enum(['line', 'modelConfidence']).default('line'),
    offset: z.int().nonnegative().default(0),
    limit: z.int().min(1).max(500).default(50),
  })
  .refine(oneScope, scopeMessage);
export type ListExamplesInput = z.output<typeof ListExamplesInput>;

export const StatsInput = z.object(Scope).refine(oneScope, scopeMessage);
export type StatsInput = z.output<typeof StatsInput>;

export const ExampleIdInput = z.object({ exampleId: IdSchema });
export type ExampleIdInput = z.output<typeof ExampleIdInput>;

export interface ExamplePage {
  readonly items: readonly ExampleWithSpans[];
  /** Number of examples matching the filter, over all pages. */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

/** One page of examples (with their spans) matching the filters, plus the total count. */
export function listExamples(db: Db, { order, offset, limit, ...filter }: ListExamplesInput): ExamplePage {
  const page = queryExamples(db, filter, order, offset, limit);
  const spans = spansOfExamples(
    db,
    page.items.map((e) => e.id),
  );
  return { items: page.items.map((e) => ({ ...e, spans: spans.get(e.id) ?? [] })), total: page.total, offset, limit };
}

/** One example with all its spans (every source and status). */
export function getExample(db: Db, { exampleId }: ExampleIdInput): ExampleWithSpans {
  return { ...getExampleRow(db, exampleId), spans: spansOfExample(db, exampleId) };
}

/** Counts per class, entity type, span source and status, and reviewed/total. */
export function datasetStats(db: Db, input: StatsInput): DatasetStats {
  return statsQuery(db, input);
}
